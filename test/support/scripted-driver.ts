import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { ArtifactContext, ArtifactRequest, ArtifactResolver, ArtifactStep, ResolvedArtifact } from "../../src/engine/artifact/types.js";
import type { DeploymentRef, DeploymentSpec, DeploymentStep, DeployResult, DriverContext, RuntimeDriver } from "../../src/runtime/driver.js";

/** What `hold` can stop: a driver step, or the artifact phase's resolve. */
type HeldStep = keyof RuntimeDriver | "artifact";

/**
 * A RuntimeDriver for API and engine tests only: it records calls and succeeds, or fails the
 * step named in `failNext`. `openrunner up` never uses it (it has the unavailable driver).
 * `artifacts` is its artifact resolver: every image "resolves" to a digest made of the
 * deployment id (or the pinned one), nothing is pulled or built.
 */
export class ScriptedRuntimeDriver implements RuntimeDriver {
  readonly name = "scripted";
  readonly calls: string[] = [];
  /** The next call of this step throws (once). */
  failNext: keyof RuntimeDriver | undefined;
  /** Deployments started and not retired, per service. */
  readonly live = new Map<string, Set<string>>();
  serving = new Map<string, string>();
  /** Steps deploy() announces (ctx.step) before it goes on, as a real driver does. */
  deploySteps: DeploymentStep[] = [];
  /** Steps the artifact resolver announces before it goes on (a pull, or a build's parts). */
  artifactSteps: ArtifactStep[] = [];
  /** Artifact requests, newest last (not in `calls`: those are the driver's). */
  readonly requests: ArtifactRequest[] = [];
  private gate: { step: HeldStep; open: Promise<void> } | undefined;

  readonly artifacts: ArtifactResolver = {
    resolve: async (req: ArtifactRequest, ctx: ArtifactContext): Promise<ResolvedArtifact> => {
      this.requests.push(req);
      ctx.log(`scripted artifact ${req.deploymentId}`);
      for (const s of this.artifactSteps) ctx.step?.(s);
      await this.wait("artifact", ctx);
      const digest = req.pinnedDigest ?? `sha256:${req.deploymentId.padEnd(64, "0")}`;
      return { identifier: req.source.ImageRepository?.ImageIdentifier ?? `openrunner.local/${req.serviceName}@${digest}`, digest, manifestDigest: digest };
    },
    hold: (fn) => fn(),
    forget: async () => undefined,
  };

  /** Makes `step` (deploy by default) wait until the returned function is called or its signal aborts, so a test can act mid-operation. */
  hold(step: HeldStep = "deploy"): () => void {
    let release: () => void = () => undefined;
    const open = new Promise<void>((ok) => {
      release = () => {
        this.gate = undefined;
        ok();
      };
    });
    this.gate = { step, open };
    return release;
  }

  private async wait(step: HeldStep, ctx: DriverContext | ArtifactContext): Promise<void> {
    if (this.gate?.step !== step) return;
    const aborted = new Promise<void>((_, fail) => ctx.signal.addEventListener("abort", () => fail(new Error(`${step} aborted`)), { once: true }));
    await Promise.race([this.gate.open, aborted]);
  }

  private step(name: keyof RuntimeDriver, detail: string, ctx: DriverContext): void {
    this.calls.push(`${name}:${detail}`);
    ctx.log(`scripted ${name} ${detail}`);
    if (this.failNext === name) {
      this.failNext = undefined;
      throw new AppRunnerError("InternalServiceError", `scripted failure in ${name}`);
    }
  }

  /** Specs deploy() was called with, newest last. */
  readonly specs: DeploymentSpec[] = [];

  async deploy(spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult> {
    this.specs.push(spec);
    this.step("deploy", spec.deploymentId, ctx);
    for (const s of this.deploySteps) ctx.step?.(s);
    await this.wait("deploy", ctx);
    const set = this.live.get(spec.serviceId) ?? new Set<string>();
    set.add(spec.deploymentId);
    this.live.set(spec.serviceId, set);
    return { imageDigest: spec.image.digest };
  }
  async waitHealthy(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    this.step("waitHealthy", ref.deploymentId, ctx);
    await this.wait("waitHealthy", ctx);
  }
  async shiftTraffic(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    this.step("shiftTraffic", ref.deploymentId, ctx);
    this.serving.set(ref.serviceId, ref.deploymentId);
  }
  async retire(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    this.step("retire", ref.deploymentId, ctx);
    this.live.get(ref.serviceId)?.delete(ref.deploymentId);
  }
  async pause(serviceId: string, ctx: DriverContext): Promise<void> {
    this.step("pause", serviceId, ctx);
    this.live.delete(serviceId);
  }
  async delete(serviceId: string, ctx: DriverContext): Promise<void> {
    this.step("delete", serviceId, ctx);
    await this.wait("delete", ctx);
    this.live.delete(serviceId);
    this.serving.delete(serviceId);
  }
}
