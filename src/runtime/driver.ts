import type {
  HealthCheckConfiguration,
  ImageConfiguration,
  InstanceConfiguration,
} from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";
import type { VersionMeasurement } from "../router/types.js";

/**
 * The image a deployment runs, resolved by the engine before the driver is called (pulled,
 * built from source, or found again for a resume): the driver runs it, nothing more.
 */
export interface DeploymentImage {
  /** How logs and records name it: the service's ImageIdentifier, or `openrunner.local/<service>@<digest>` for a built one. */
  identifier: string;
  /** The digest it resolved to (an index or a manifest digest): exactly this runs, on every instance. */
  digest: string;
}

/** Everything a driver needs to run one version of a service. */
export interface DeploymentSpec {
  serviceId: string;
  serviceName: string;
  serviceArn: string;
  /** Stable per rollout: calling deploy twice with the same id must not start twice. */
  deploymentId: string;
  operationId: string;
  image: DeploymentImage;
  /**
   * How instances run the image: port, StartCommand, environment (the service's
   * ImageConfiguration; for an image built from source, its port only).
   */
  run: Wire<ImageConfiguration>;
  /**
   * The values of the version's secrets (RuntimeEnvironmentSecrets or `run.secrets`), resolved
   * by the engine at this deployment with the instance role, by variable name: instances get
   * them as environment variables and nothing else does. Never written anywhere in clear (a
   * driver that keeps them across a crash seals them).
   */
  secrets?: Readonly<Record<string, string>>;
  instance: Wire<InstanceConfiguration>;
  healthCheck: Wire<HealthCheckConfiguration>;
  autoScaling: { minSize: number; maxSize: number; maxConcurrency: number };
  /** Host names that reach the service: its ServiceUrl host and its custom domains. */
  hosts: string[];
  /** ObservabilityConfiguration with a TraceConfiguration: the data plane adds X-Amzn-Trace-Id. */
  tracing: boolean;
}

/** What a deployment runs. */
export interface DeployResult {
  /** The digest its instances run (the one it was given). */
  imageDigest?: string;
}

export interface DeploymentRef {
  serviceId: string;
  deploymentId: string;
}

/**
 * The steps of a deployment a driver announces, so the engine bounds each by what fits it:
 * bringing the image to where instances run (a driver whose nodes pull it), starting instances.
 */
export type DeploymentStep = "pull" | "start";

/** How a driver reports progress: lines go to the deployment log; abort means stop early. */
export interface DriverContext {
  log(line: string): void;
  signal: AbortSignal;
  /** The step the work is in from now on; its bound starts now (when the engine bounds steps). */
  step?(step: DeploymentStep): void;
}

/**
 * The only way the engine touches instances. Every method is idempotent: after a crash the
 * engine calls the same step again, and the driver must converge rather than duplicate.
 */
export interface RuntimeDriver {
  readonly name: string;
  /** Starts a version's instances beside whatever is serving (blue/green). */
  deploy(spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult>;
  /** Resolves when the version's instances pass their health checks; throws with the reason. */
  waitHealthy(ref: DeploymentRef, ctx: DriverContext): Promise<void>;
  /** Sends the service's traffic to this version. */
  shiftTraffic(ref: DeploymentRef, ctx: DriverContext): Promise<void>;
  /** Stops a version's instances: the old one after a switch, or the new one in a rollback. */
  retire(ref: DeploymentRef, ctx: DriverContext): Promise<void>;
  /** Stops every instance of the service; images and URL are kept. */
  pause(serviceId: string, ctx: DriverContext): Promise<void>;
  /** Removes everything the driver holds for the service. */
  delete(serviceId: string, ctx: DriverContext): Promise<void>;
  /**
   * Gradual rollout (optional; a driver without it deploys all at once): this healthy version
   * takes `percent` of new clients beside the serving one, each client sticky to its version;
   * 0 sends every client to the serving version at once. Idempotent; shiftTraffic, pause,
   * delete and retiring this version end the split.
   */
  splitTraffic?(ref: DeploymentRef, percent: number, ctx: DriverContext): Promise<void>;
  /** The responses of the version a split sends clients to, over the last `windowMs`, as the data plane recorded them. */
  measureSplit?(ref: DeploymentRef, windowMs: number): Promise<VersionMeasurement>;
}
