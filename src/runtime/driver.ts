import type {
  HealthCheckConfiguration,
  InstanceConfiguration,
  SourceConfiguration,
} from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";

/** Everything a driver needs to run one version of a service. */
export interface DeploymentSpec {
  serviceId: string;
  serviceName: string;
  serviceArn: string;
  /** Stable per rollout: calling deploy twice with the same id must not start twice. */
  deploymentId: string;
  operationId: string;
  source: Wire<SourceConfiguration>;
  instance: Wire<InstanceConfiguration>;
  healthCheck: Wire<HealthCheckConfiguration>;
  autoScaling: { minSize: number; maxSize: number; maxConcurrency: number };
  /** Host names that reach the service: its ServiceUrl host and its custom domains. */
  hosts: string[];
  /** ObservabilityConfiguration with a TraceConfiguration: the data plane adds X-Amzn-Trace-Id. */
  tracing: boolean;
  /**
   * Deploy exactly this image digest instead of resolving the tag again: ResumeService brings
   * back what was running before the pause, as App Runner does.
   */
  imageDigest?: string;
}

/** What a deployment turned out to run, recorded on the operation and the service. */
export interface DeployResult {
  /** The digest the image identifier resolved to (index or manifest digest). */
  imageDigest?: string;
  /** For a source-code service: the commit built. */
  commit?: string;
}

export interface DeploymentRef {
  serviceId: string;
  deploymentId: string;
}

/**
 * The steps of a deployment a driver announces, so the engine bounds each by what fits it
 * (a pull, a build and starting instances take very different times).
 */
export type DeploymentStep = "pull" | "source" | "runtime" | "build" | "import" | "start";

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
}
