import { join } from "node:path";
import { newResourceId } from "../../domain/arns.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ImageStore } from "../../images/types.js";
import type { LogSink } from "../../telemetry/log-sink.js";
import type { ServiceIdentity } from "../../telemetry/service-events.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { DeploymentRef, DeploymentSpec, DeployResult, DriverContext, RuntimeDriver } from "../driver.js";
import type { HealthVerdict } from "../health/health-state.js";
import { makeInstancePlan } from "../instance-plan.js";
import { cleanupLeftovers, containerState, oomKillCount } from "./container.js";
import { exitMessage, isAlive } from "./exit-reason.js";
import { ensureFirewall, removeFirewall } from "./firewall.js";
import { resolveImageUser } from "./image-user.js";
import { adoptInstance, endInstance, removeInstance, startInstance, type InstanceDeps } from "./instance-lifecycle.js";
import { KeyedLock } from "./keyed-lock.js";
import type { InstanceView, LiveInstance } from "./live-instance.js";
import { networkForSlot } from "./network.js";
import { lastLines } from "./output-tail.js";
import { RuntimeRecords, type DeploymentRecord, type InstanceRecord } from "./records.js";
import type { HostLayout } from "./types.js";
import { NO_ROUTER, type TrafficRouter } from "../../router/types.js";
import { routeOf } from "./routing.js";
import type { SampledInstance } from "./usage-sampler.js";

export interface LocalDriverOptions {
  /** `<data-dir>/runtime`: deployment records; instances live in layout.instancesDir. */
  runtimeDir: string;
  layout: HostLayout;
  images: ImageStore;
  clock: Clock;
  random: Random;
  /** Application log lines (instance/<id> streams). */
  logs: LogSink;
  /** A line in the service's `events` stream: exits, OOM kills, replacements. */
  serviceEvent: (service: ServiceIdentity, message: string) => void;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** How long a new instance has to pass its health check: App Runner's 5 minutes. */
  startupBudgetMs?: number;
  /** SIGTERM, then this long, then SIGKILL. */
  stopGraceMs?: number;
  /** How often exits are looked for and missing instances replaced. */
  superviseMs?: number;
  /** The data plane; without one, instances are reached at their own addresses only. */
  router?: TrafficRouter;
}

const MAX_REPLACEMENT_BACKOFF_MS = 60_000;

/**
 * Runs instances as runc containers on this machine. Durable facts (which deployments exist,
 * which instances they have) are JSON records under the runtime directory; everything else is
 * derived again at start(), so a restart adopts running instances instead of restarting them.
 */
export class LocalRuntimeDriver implements RuntimeDriver {
  readonly name = "local";
  private readonly records: RuntimeRecords;
  private readonly live = new Map<string, LiveInstance>();
  /** Slots taken by instances being created (their records may not be live yet). */
  private readonly slots = new Set<number>();
  private readonly failures = new Map<string, (reason: string) => void>();
  private readonly backoff = new Map<string, { failures: number; notBefore: number }>();
  private readonly lock = new KeyedLock();
  private readonly deps: InstanceDeps;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly router: TrafficRouter;

  constructor(private readonly opts: LocalDriverOptions) {
    this.router = opts.router ?? NO_ROUTER;
    this.records = new RuntimeRecords(opts.runtimeDir, opts.layout.instancesDir);
    this.deps = {
      layout: opts.layout,
      records: this.records,
      clock: opts.clock,
      logs: opts.logs,
      logger: opts.logger,
      stopGraceMs: opts.stopGraceMs ?? 5_000,
      onVerdict: (inst, verdict, detail, attempts) => this.onVerdict(inst, verdict, detail, attempts),
    };
  }

  /** Sets up the firewall, adopts instances that survived a restart, removes half-made ones. */
  async start(): Promise<void> {
    this.stopping = false;
    await ensureFirewall(this.opts.layout);
    const deployments = new Map(this.records.deployments().map((d) => [d.deploymentId, d]));
    for (const r of this.records.instances()) {
      const d = deployments.get(r.deploymentId);
      const adopted = d ? await adoptInstance(this.deps, d, r) : undefined;
      if (adopted) {
        this.live.set(r.instanceId, adopted);
        this.slots.add(r.slot);
      } else {
        await this.removeRecorded(r);
      }
    }
    await cleanupLeftovers(this.opts.layout, new Set([...this.live.values()].map((l) => l.record.containerId)));
    this.timer = setInterval(() => void this.supervise(), this.opts.superviseMs ?? 1000);
    this.timer.unref();
    void this.supervise();
  }

  /**
   * Stops every instance and removes everything it made on the host; the records stay, so the
   * next start() brings the serving deployments back.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.live.values()].map((l) => this.end(l)));
    await cleanupLeftovers(this.opts.layout, new Set());
    await removeFirewall(this.opts.layout);
  }

  /** Instances serving traffic, with what CPUUtilization and MemoryUtilization are relative to. */
  sampledInstances(): SampledInstance[] {
    const out: SampledInstance[] = [];
    for (const l of this.live.values()) {
      const d = this.records.deployment(l.record.deploymentId);
      if (!d || d.role !== "serving" || l.ending || l.leaving) continue;
      out.push({
        instanceId: l.record.instanceId,
        serviceId: l.record.serviceId,
        containerRef: l.container,
        cpuMillicores: d.plan.cpuMillicores,
        memoryBytes: d.plan.memoryBytes,
      });
    }
    return out;
  }

  /** Running instances, for tests, the router and `openrunner` tools. */
  instances(serviceId?: string): InstanceView[] {
    const out: InstanceView[] = [];
    for (const l of this.live.values()) {
      if (l.ending || (serviceId && l.record.serviceId !== serviceId)) continue;
      const d = this.records.deployment(l.record.deploymentId);
      out.push({
        instanceId: l.record.instanceId,
        deploymentId: l.record.deploymentId,
        serviceId: l.record.serviceId,
        address: l.container.network.instanceAddress,
        port: d?.plan.port ?? 0,
        healthy: l.checker.verdict === "healthy",
        serving: d?.role === "serving" && !l.leaving,
        pid: l.pid,
        containerId: l.record.containerId,
      });
    }
    return out;
  }

  async deploy(spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult> {
    const existing = this.records.deployment(spec.deploymentId);
    const d = existing ?? (await this.prepare(spec, ctx));
    await this.lock.run(d.serviceId, () => this.ensureInstances(d, ctx));
    return { imageDigest: d.resolvedDigest };
  }

  async waitHealthy(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    const d = this.requireDeployment(ref);
    // After a restart in this phase, half-created instances were removed: make them again.
    await this.lock.run(d.serviceId, () => this.ensureInstances(d, ctx));
    const mine = this.liveOf(d.deploymentId);
    await Promise.all(mine.map((l) => this.waitInstance(d, l, ctx)));
  }

  async shiftTraffic(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    const d = this.requireDeployment(ref);
    await this.lock.run(d.serviceId, async () => {
      for (const other of this.records.deployments()) {
        if (other.serviceId === d.serviceId && other.deploymentId !== d.deploymentId && other.role === "serving") {
          this.records.saveDeployment({ ...other, role: "standby" });
        }
      }
      this.records.saveDeployment({ ...d, role: "serving" });
      await this.publish(d.serviceId);
    });
    const n = this.liveOf(d.deploymentId).length;
    ctx.log(`Traffic now goes to deployment ${d.deploymentId} (${n} instance${n === 1 ? "" : "s"}).`);
  }

  async retire(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    await this.lock.run(ref.serviceId, () => this.retireLocked(ref.deploymentId, ctx));
  }

  async pause(serviceId: string, ctx: DriverContext): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const mine = this.records.deployments().filter((d) => d.serviceId === serviceId);
      const shown = mine.find((d) => d.role === "serving") ?? mine[0];
      if (shown) await this.router.apply(routeOf(shown, [], "paused"));
      for (const d of mine) await this.retireLocked(d.deploymentId, ctx);
    });
  }

  async delete(serviceId: string, ctx: DriverContext): Promise<void> {
    await this.router.remove(serviceId);
    await this.lock.run(serviceId, async () => {
      for (const d of this.records.deployments()) if (d.serviceId === serviceId) await this.retireLocked(d.deploymentId, ctx);
    });
    const keep = new Set(this.records.deployments().map((d) => d.manifestDigest));
    const removed = await this.opts.images.prune(keep);
    if (removed.length > 0) ctx.log(`Removed ${removed.length} image${removed.length === 1 ? "" : "s"} no other service uses.`);
  }

  private async prepare(spec: DeploymentSpec, ctx: DriverContext): Promise<DeploymentRecord> {
    const identifier = spec.source.ImageRepository?.ImageIdentifier;
    if (!identifier) {
      throw new AppRunnerError(
        "InstanceFailed",
        "This service deploys from a source code repository, and building source code is not available on this host yet. Deploy a container image instead.",
      );
    }
    const pulled = await this.opts.images.pull(identifier, { digest: spec.imageDigest, log: ctx.log, signal: ctx.signal });
    const plan = makeInstancePlan(spec, pulled.image.config);
    const { uid, gid } = resolveImageUser(pulled.image.rootfs, plan.user);
    const d: DeploymentRecord = {
      deploymentId: spec.deploymentId,
      serviceId: spec.serviceId,
      serviceName: spec.serviceName,
      serviceArn: spec.serviceArn,
      operationId: spec.operationId,
      imageIdentifier: identifier,
      resolvedDigest: pulled.resolvedDigest,
      manifestDigest: pulled.image.manifestDigest,
      imageRootfs: pulled.image.rootfs,
      plan,
      uid,
      gid,
      healthCheck: spec.healthCheck,
      // As App Runner, a deployment starts as many instances as serve now (provisioned doubles meanwhile).
      desired: Math.min(spec.autoScaling.maxSize, Math.max(1, spec.autoScaling.minSize, this.servingOf(spec.serviceId)?.desired ?? 0)),
      minSize: spec.autoScaling.minSize,
      maxSize: spec.autoScaling.maxSize,
      maxConcurrency: spec.autoScaling.maxConcurrency,
      hosts: spec.hosts,
      tracing: spec.tracing,
      role: "starting",
      createdAt: this.opts.clock.now(),
    };
    this.records.saveDeployment(d);
    return d;
  }

  /** Creates instances until the deployment has `desired` of them (idempotent). Caller holds the lock. */
  private async ensureInstances(d: DeploymentRecord, ctx?: DriverContext): Promise<void> {
    const missing = d.desired - this.liveOf(d.deploymentId).length;
    if (missing <= 0) return;
    if (ctx) ctx.log(`Starting ${missing} instance${missing === 1 ? "" : "s"} of image ${d.imageIdentifier} (${d.resolvedDigest}).`);
    const started = await Promise.all(Array.from({ length: missing }, () => this.startOne(d)));
    for (const l of started) {
      ctx?.log(`Instance ${l.record.instanceId} started at ${l.container.network.instanceAddress}:${d.plan.port}.`);
    }
  }

  private async startOne(d: DeploymentRecord): Promise<LiveInstance> {
    const slot = this.allocateSlot();
    try {
      const live = await startInstance(this.deps, d, newResourceId(this.opts.random), slot);
      this.live.set(live.record.instanceId, live);
      return live;
    } catch (err) {
      this.slots.delete(slot);
      throw err;
    }
  }

  private allocateSlot(): number {
    for (let slot = 1; slot < 16384; slot++) {
      if (!this.slots.has(slot)) {
        this.slots.add(slot);
        return slot;
      }
    }
    throw new AppRunnerError("InstanceFailed", "No free instance address is left on this host (16383 instances).");
  }

  /** Resolves when the instance is healthy; rejects when it exits or its start-up budget runs out. */
  private async waitInstance(d: DeploymentRecord, l: LiveInstance, ctx: DriverContext): Promise<void> {
    const exited = new Promise<never>((_, reject) => {
      this.failures.set(l.record.instanceId, (reason) => reject(new AppRunnerError("InstanceFailed", reason)));
    });
    try {
      await Promise.race([l.checker.waitHealthy({ budgetMs: this.opts.startupBudgetMs, signal: ctx.signal }), exited]);
      ctx.log(
        `Instance ${l.record.instanceId} passed its ${d.healthCheck.Protocol ?? "TCP"} health check after ${l.checker.attempts} attempt${l.checker.attempts === 1 ? "" : "s"}.`,
      );
    } catch (err) {
      const lines = await lastLines(join(l.container.dir, "output.log"), 10);
      if (lines.length > 0) ctx.log(`Last output of instance ${l.record.instanceId}:\n${lines.join("\n")}`);
      throw err;
    } finally {
      this.failures.delete(l.record.instanceId);
      exited.catch(() => undefined);
    }
  }

  private async retireLocked(deploymentId: string, ctx: DriverContext): Promise<void> {
    const mine = this.liveOf(deploymentId);
    const serviceId = mine[0]?.record.serviceId;
    // In-flight requests finish before their instance stops: no request fails on a deployment.
    if (serviceId) await this.router.drain(serviceId, mine.map((l) => l.record.instanceId));
    await Promise.all(mine.map((l) => this.end(l)));
    for (const r of this.records.instances()) if (r.deploymentId === deploymentId) await this.removeRecorded(r);
    if (this.records.deployment(deploymentId)) {
      this.records.removeDeployment(deploymentId);
      if (mine.length > 0) ctx.log(`Stopped ${mine.length} instance${mine.length === 1 ? "" : "s"} of deployment ${deploymentId}.`);
    }
    this.backoff.delete(deploymentId);
  }

  private async end(l: LiveInstance): Promise<void> {
    if (l.ending) return;
    try {
      await endInstance(this.deps, l);
    } finally {
      this.live.delete(l.record.instanceId);
      this.slots.delete(l.record.slot);
    }
  }

  /** Removes an instance known only by its record (not live: half-created, or its container died). */
  private async removeRecorded(r: InstanceRecord): Promise<void> {
    await removeInstance(this.deps, {
      containerId: r.containerId,
      dir: this.records.instanceDir(r.instanceId),
      network: networkForSlot(this.opts.layout, r.slot),
      cgroupsPath: `/${this.opts.layout.prefix}/${r.instanceId}`,
    });
    if (!this.live.has(r.instanceId)) this.slots.delete(r.slot);
  }

  /**
   * Autoscaling: the serving deployment keeps `desired` instances. Scaling in takes the
   * newest instances out of the router, lets their requests finish, then stops them.
   */
  async scale(serviceId: string, desired: number, reason: string): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const d = this.servingOf(serviceId);
      if (!d) return;
      const target = Math.min(d.maxSize, Math.max(d.minSize, 1, desired));
      if (target === d.desired) return;
      this.records.saveDeployment({ ...d, desired: target });
      this.opts.logger("scaling", { serviceId, from: d.desired, to: target, reason });
      const mine = this.liveOf(d.deploymentId);
      if (target > mine.length) {
        await this.ensureInstances({ ...d, desired: target });
        return;
      }
      const leaving = mine.sort((a, b) => b.record.createdAt - a.record.createdAt).slice(0, mine.length - target);
      for (const l of leaving) l.leaving = true;
      await this.publish(serviceId);
      await this.router.drain(serviceId, leaving.map((l) => l.record.instanceId));
      await Promise.all(leaving.map((l) => this.end(l)));
    });
  }

  /** What the autoscaler needs of every serving service. */
  scalingView(): { serviceId: string; minSize: number; maxSize: number; maxConcurrency: number; current: number; deploying: boolean }[] {
    const all = this.records.deployments();
    return all
      .filter((d) => d.role === "serving")
      .map((d) => ({
        serviceId: d.serviceId,
        minSize: d.minSize,
        maxSize: d.maxSize,
        maxConcurrency: d.maxConcurrency,
        current: d.desired,
        deploying: all.some((o) => o.serviceId === d.serviceId && o.role === "starting"),
      }));
  }

  private servingOf(serviceId: string): DeploymentRecord | undefined {
    return this.records.deployments().find((d) => d.serviceId === serviceId && d.role === "serving");
  }

  /** Tells the router which instances of the service take requests now. Caller holds the lock. */
  private async publish(serviceId: string): Promise<void> {
    const d = this.servingOf(serviceId);
    if (d) await this.router.apply(routeOf(d, this.liveOf(d.deploymentId)));
  }

  private publishLocked(serviceId: string): Promise<void> {
    return this.lock.run(serviceId, () => this.publish(serviceId)).catch((err: unknown) => {
      this.opts.logger("updating the router failed", { serviceId, error: err instanceof Error ? err.message : String(err) });
    });
  }

  private liveOf(deploymentId: string): LiveInstance[] {
    return [...this.live.values()].filter((l) => l.record.deploymentId === deploymentId && !l.ending);
  }

  private requireDeployment(ref: DeploymentRef): DeploymentRecord {
    const d = this.records.deployment(ref.deploymentId);
    if (!d) throw new AppRunnerError("InstanceFailed", `Deployment ${ref.deploymentId} has no instances on this host.`);
    return d;
  }

  private identity(d: DeploymentRecord): ServiceIdentity {
    return { name: d.serviceName, id: d.serviceId, arn: d.serviceArn };
  }

  private onVerdict(l: LiveInstance, verdict: HealthVerdict, detail: string, _attempts: number): void {
    // A healthy instance ends a crash loop's back-off, and joins the router if its deployment serves.
    if (verdict === "healthy") {
      this.backoff.delete(l.record.deploymentId);
      if (this.records.deployment(l.record.deploymentId)?.role === "serving") void this.publishLocked(l.record.serviceId);
    }
    if (verdict !== "unhealthy" || l.ending || this.stopping) return;
    const d = this.records.deployment(l.record.deploymentId);
    if (!d) return;
    const threshold = d.healthCheck.UnhealthyThreshold ?? 5;
    this.replace(d, l, `Instance ${l.record.instanceId} failed ${threshold} consecutive health checks (${detail}). Replacing it.`);
  }

  /** An instance that died or turned unhealthy: say why, tear it down; the next tick starts another. */
  private replace(d: DeploymentRecord, l: LiveInstance, message: string): void {
    this.opts.serviceEvent(this.identity(d), message);
    const b = this.backoff.get(d.deploymentId) ?? { failures: 0, notBefore: 0 };
    const delay = Math.min(MAX_REPLACEMENT_BACKOFF_MS, 1000 * 2 ** b.failures);
    this.backoff.set(d.deploymentId, { failures: b.failures + 1, notBefore: this.opts.clock.now() + delay - 1000 });
    l.leaving = true;
    void this.lock
      .run(d.serviceId, async () => {
        if (d.role === "serving") await this.publish(d.serviceId);
        await this.end(l);
      })
      .catch((err: unknown) =>
      this.opts.logger("removing a failed instance failed", { instanceId: l.record.instanceId, error: String(err) }),
    );
  }

  /** A process inside a running instance killed for memory (the instance itself lives on). */
  private async reportOomKills(l: LiveInstance): Promise<void> {
    const count = await oomKillCount(l.container);
    if (count <= l.oomKills) return;
    l.oomKills = count;
    const d = this.records.deployment(l.record.deploymentId);
    if (!d) return;
    const mb = Math.round(d.plan.memoryBytes / (1024 * 1024));
    this.opts.serviceEvent(
      this.identity(d),
      `Instance ${l.record.instanceId} ran out of memory: the kernel killed a process that exceeded the instance's ${mb} MB limit (OOM).`,
    );
  }

  /** One pass: find exited instances; start replacements where a serving deployment is short. */
  private async supervise(): Promise<void> {
    if (this.stopping) return;
    for (const l of [...this.live.values()]) {
      if (!l.ending && isAlive(l.pid)) await this.reportOomKills(l);
      if (l.ending || isAlive(l.pid)) continue;
      const d = this.records.deployment(l.record.deploymentId);
      const state = await containerState(l.container);
      const why = exitMessage(l.record.instanceId, state, d?.plan.memoryBytes ?? 0);
      const fail = this.failures.get(l.record.instanceId);
      if (fail) {
        fail(why);
        if (d) this.opts.serviceEvent(this.identity(d), why);
        await this.lock.run(l.record.serviceId, () => this.end(l));
      } else if (d?.role === "starting") {
        // Nobody waits on it yet; the deployment's health step starts it again and judges it.
        this.opts.serviceEvent(this.identity(d), why);
        await this.lock.run(l.record.serviceId, () => this.end(l));
      } else if (d) {
        this.replace(d, l, `${why} Starting a replacement.`);
      }
    }
    for (const d of this.records.deployments()) {
      if (d.role === "starting" || this.stopping) continue;
      const b = this.backoff.get(d.deploymentId);
      if (b && this.opts.clock.now() < b.notBefore) continue;
      if (this.liveOf(d.deploymentId).length >= d.desired) continue;
      await this.lock
        .run(d.serviceId, async () => {
          // Retired meanwhile: nothing to replace.
          if (this.records.deployment(d.deploymentId)) await this.ensureInstances(d);
        })
        .catch((err: unknown) => {
          this.opts.serviceEvent(this.identity(d), `Starting a replacement instance failed: ${String(err instanceof Error ? err.message : err)}`);
        });
    }
  }
}
