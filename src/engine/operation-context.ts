import type { ControlPlaneConfig } from "../domain/config.js";
import type { RuntimeSecretResolver } from "../domain/runtime-secrets.js";
import type { OperationEvent } from "../domain/service-events.js";
import type { ServiceRow, ServiceStatus } from "../domain/service-record.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { DeploymentSpec, DeploymentStep, DriverContext, RuntimeDriver } from "../runtime/driver.js";
import type { ArtifactContext, ArtifactRequest, ArtifactResolver, ArtifactStep, ResolvedArtifact } from "./artifact/types.js";
import type { OperationRow, OperationStatus } from "../store/operations.js";
import type { Store } from "../store/store.js";
import type { ServiceEventRecorder } from "../telemetry/service-events.js";
import type { KeyService } from "../keys/key-service.js";
import { epochSeconds } from "../protocol/wire.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";

export interface EngineDeps {
  store: Store;
  driver: RuntimeDriver;
  /** Where deployments get the image they run, before the driver is called. */
  artifacts: ArtifactResolver;
  clock: Clock;
  random: Random;
  config: ControlPlaneConfig;
  events: ServiceEventRecorder;
  /** Where the engine reports what it could not record anywhere else. */
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** KMS's keys: a service's EncryptionConfiguration.KmsKey must be usable for a new deployment. Absent: no KMS. */
  keys?: KeyService;
  /**
   * Reads a deployment's secrets with the service's instance role, right before the driver runs
   * it. Absent: a deployment with secrets fails with a clear message.
   */
  secrets?: RuntimeSecretResolver;
}

export interface Outcome {
  opStatus: OperationStatus;
  serviceStatus: ServiceStatus;
  event: OperationEvent;
  error?: string;
  /** Changes to the service made in the same transaction. */
  mutate?: (s: ServiceRow) => void;
  /** Members recorded on the operation's state with its end. */
  state?: Partial<OperationRow["state"]>;
}

/**
 * The ServiceUrl host only: a custom domain reaches the service once its certificate is bound,
 * and the custom-domain controller routes it then (CustomDomainDataPlane.setCustomDomainHosts),
 * apart from deployments, so that a deployment neither routes a pending domain nor drops an
 * active one.
 */
function serviceHosts(s: ServiceRow): string[] {
  return s.doc.ServiceUrl ? [s.doc.ServiceUrl.toLowerCase()] : [];
}

function tracingEnabled(store: Store, s: ServiceRow): boolean {
  const obs = s.doc.ObservabilityConfiguration;
  if (!obs?.ObservabilityEnabled || !obs.ObservabilityConfigurationArn) return false;
  const cfg = store.resources.get<{ TraceConfiguration?: { Vendor?: string } }>(obs.ObservabilityConfigurationArn);
  return cfg?.doc.TraceConfiguration?.Vendor !== undefined;
}

/** One running operation: its rows, the driver context, and the transitions it may make. */
export class OperationContext {
  private abandoned = false;

  constructor(
    readonly deps: EngineDeps,
    public op: OperationRow,
    readonly signal: AbortSignal,
    /** The driver or the artifact resolver announced the step its work is in (the engine bounds each step). */
    private readonly onStep?: (step: DeploymentStep | ArtifactStep) => void,
  ) {}

  /**
   * The engine gave up on this phase (it outlived its bound) or moved past it: whatever it
   * still does in the background may log, but never again move the operation.
   */
  abandon(): void {
    this.abandoned = true;
  }

  private checkActive(): void {
    if (this.abandoned) {
      throw new AppRunnerError("StepTimedOut", `A phase of operation ${this.op.id} finished after the engine had given up on it; its result is ignored.`);
    }
  }

  service(): ServiceRow {
    const s = this.deps.store.resources.get<ServiceRow["doc"], ServiceRow["internal"]>(this.op.serviceArn);
    if (!s) throw new Error(`service ${this.op.serviceArn} of operation ${this.op.id} is missing`);
    return s;
  }

  identity(s: ServiceRow = this.service()): { name: string; id: string; arn: string } {
    return { name: s.name, id: s.doc.ServiceId ?? "", arn: s.arn };
  }

  /** A line in this operation's deployment log. */
  log(line: string): void {
    this.deps.events.deploymentLine(this.identity(), this.op.id, line);
  }

  driverContext(): DriverContext {
    return { log: (line) => this.log(line), signal: this.signal, step: (step) => this.onStep?.(step) };
  }

  artifactContext(): ArtifactContext {
    return { log: (line) => this.log(line), signal: this.signal, step: (step) => this.onStep?.(step) };
  }

  /** What resolving the service's current source as `deploymentId` needs; `pinnedDigest` for a resume. */
  artifactRequest(deploymentId: string, pinnedDigest?: string, pinnedFor?: ArtifactRequest["pinnedFor"]): ArtifactRequest {
    const s = this.service();
    return {
      serviceId: s.doc.ServiceId ?? "",
      serviceName: s.name,
      deploymentId,
      operationId: this.op.id,
      source: s.doc.SourceConfiguration ?? {},
      instance: s.doc.InstanceConfiguration ?? {},
      ...(pinnedDigest ? { pinnedDigest } : {}),
      ...(pinnedDigest && pinnedFor ? { pinnedFor } : {}),
    };
  }

  /** Persists progress: after a crash the operation resumes at `phase`. */
  advance(phase: string, patch: Partial<OperationRow["state"]> = {}, status?: OperationStatus): void {
    this.checkActive();
    const now = this.deps.clock.now();
    this.op = { ...this.op, status: status ?? this.op.status, updatedAt: now, state: { ...this.op.state, ...patch, phase } };
    this.deps.store.operations.update(this.op);
  }

  /** Marks the operation started: one transaction for its status, the event and the next phase. */
  begin(event: OperationEvent, nextPhase: string, patch: Partial<OperationRow["state"]> = {}): void {
    this.checkActive();
    this.deps.store.tx(() => {
      this.advance(nextPhase, patch, "IN_PROGRESS");
      this.deps.events.operationStatus(this.identity(), event);
    });
  }

  /** Ends the operation and sets the service's status, with their events, atomically. */
  finish(o: Outcome): void {
    this.checkActive();
    const { store, clock, events } = this.deps;
    store.tx(() => {
      const now = clock.now();
      const s = this.service();
      const previous = s.status;
      o.mutate?.(s);
      s.status = o.serviceStatus;
      s.doc = { ...s.doc, Status: o.serviceStatus, UpdatedAt: epochSeconds(now) };
      store.resources.update(s);
      this.op = {
        ...this.op,
        status: o.opStatus,
        endedAt: now,
        updatedAt: now,
        state: { ...this.op.state, ...o.state, phase: "done", ...(o.error ? { error: o.error } : {}) },
      };
      store.operations.update(this.op);
      events.operationStatus(this.identity(s), o.event);
      events.serviceStatus(this.identity(s), previous, o.serviceStatus);
    });
  }

  /** The spec a driver needs to run `artifact` with the service's current configuration as `deploymentId`. */
  deploymentSpec(deploymentId: string, artifact: ResolvedArtifact): DeploymentSpec {
    const s = this.service();
    const asc = s.doc.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
    const ascRow = asc
      ? this.deps.store.resources.get<{ MinSize?: number; MaxSize?: number; MaxConcurrency?: number }>(asc)
      : undefined;
    return {
      serviceId: s.doc.ServiceId ?? "",
      serviceName: s.name,
      serviceArn: s.arn,
      deploymentId,
      operationId: this.op.id,
      image: { identifier: artifact.identifier, digest: artifact.digest },
      // A built image carries its start command and environment; only its port is the service's.
      run: artifact.port !== undefined ? { Port: String(artifact.port) } : (s.doc.SourceConfiguration?.ImageRepository?.ImageConfiguration ?? {}),
      instance: s.doc.InstanceConfiguration ?? {},
      healthCheck: s.doc.HealthCheckConfiguration ?? {},
      autoScaling: {
        minSize: ascRow?.doc.MinSize ?? 1,
        maxSize: ascRow?.doc.MaxSize ?? 25,
        maxConcurrency: ascRow?.doc.MaxConcurrency ?? 100,
      },
      hosts: serviceHosts(s),
      tracing: tracingEnabled(this.deps.store, s),
    };
  }

  driver(): RuntimeDriver {
    return this.deps.driver;
  }
}
