/**
 * A deployment's artifact: the image it runs, resolved by the engine in a phase of its own
 * before any driver is called (Knative's revision reconciler resolves the digest first, then
 * makes the runtime resources). Drivers receive the result and run it; git and builds stay here.
 */
import type { InstanceConfiguration, SourceConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";

/** The parts of resolving an artifact, each bounded by the engine by what fits it. */
export type ArtifactStep = "pull" | "source" | "runtime" | "build" | "import" | "push";

/** What a deployment of the service's current configuration needs resolved. */
export interface ArtifactRequest {
  serviceId: string;
  serviceName: string;
  deploymentId: string;
  /** The operation that deploys it: its id is what users see as the deployment's (the deployment log's "Deployment with ID"). */
  operationId?: string;
  source: Wire<SourceConfiguration>;
  /** The service's size: a build gets the same, so it cannot starve running services. */
  instance: Wire<InstanceConfiguration>;
  /**
   * Exactly this digest instead of resolving again: ResumeService brings back what ran before
   * the pause, as App Runner does (a code service is not built again).
   */
  pinnedDigest?: string;
  /** Why the digest is pinned, for the deployment log: a resume (the default) or a rollback to an earlier deployment. */
  pinnedFor?: "resume" | "rollback";
}

/** What the operation records (it resumes from here after a crash) and hands the driver. */
export interface ResolvedArtifact {
  /**
   * How logs and records name the image: the ImageIdentifier; for a built one, where it was
   * kept (`<built-in registry>/<repository>@<digest>`), or `openrunner.local/<service>@<digest>`
   * when it is on this host only.
   */
  identifier: string;
  /** The digest it resolved to (an index or a manifest digest): recorded on the service when it succeeds. */
  digest: string;
  /** The linux/amd64 manifest it runs: what a prune must keep while the deployment is on its way. */
  manifestDigest: string;
  /** For an image built from source: the commit built. */
  commit?: string;
  /** For an image built from source: the port it listens on (the only run setting that is the service's). */
  port?: number;
  /**
   * For an image built from source: its secrets (`run.secrets`, or the RuntimeEnvironmentSecrets
   * of CodeConfigurationValues), variable name -> value-from. References only, never values: the
   * deploy phase resolves them, at every deployment.
   */
  secrets?: Record<string, string>;
}

/** How resolving reports progress: lines go to the deployment log; abort means stop early. */
export interface ArtifactContext {
  log(line: string): void;
  signal: AbortSignal;
  /** The step the work is in from now on; its bound starts now. */
  step?(step: ArtifactStep): void;
}

/** One deployment's build of a service: where a keeper files its image. */
export interface BuildOfService {
  serviceId: string;
  /** App Runner's service names never change, so the place a service's images are kept does not either. */
  serviceName: string;
  /** The id users know the deployment by (the operation's): the image's tag. */
  deploymentId: string;
}

/**
 * Keeps built images where any machine that runs the service can pull them (the built-in
 * registry, a repository per service), so a resume or a rollback needs no rebuild and no
 * copy on this host.
 */
export interface BuiltImageKeeper {
  /** Pushes the built image (an image manifest of this host's image store); the identifier it is pulled by from now on. */
  keep(build: BuildOfService, manifestDigest: string, ctx: ArtifactContext): Promise<string>;
  /** The identifier a kept image of the service is pulled by. */
  identifierOf(service: Pick<BuildOfService, "serviceId" | "serviceName">, digest: string): string;
  /** Removes a deleted service's kept images and their repository. */
  forget(serviceId: string): Promise<void>;
}

/** What an access role is asked to pull: the service's image and the role it names. */
export interface PullRequestOfService {
  identifier: string;
  repositoryType: string | undefined;
  /** SourceConfiguration.AuthenticationConfiguration.AccessRoleArn. */
  accessRoleArn: string | undefined;
  serviceName: string;
  deploymentId: string;
}

/**
 * App Runner's access role: whether the service's role may pull its image, asked before every
 * pull of an image service's image. Throws (ImageAccessDenied) with the reason when it may not.
 */
export interface PullAccess {
  check(req: PullRequestOfService): void;
}

/** Where deployments get their images. Every method is idempotent (the engine calls again after a crash). */
export interface ArtifactResolver {
  /** Pulls the image, builds the source code, or finds the pinned digest again. */
  resolve(req: ArtifactRequest, ctx: ArtifactContext): Promise<ResolvedArtifact>;
  /**
   * Holds every image against removal while `fn` runs: the engine resolves and records the
   * artifact inside, so nothing removes the image between the two.
   */
  hold<T>(fn: () => Promise<T>): Promise<T>;
  /** Removes what resolving kept for a deleted service (its checkout, its build caches). */
  forget(serviceId: string): Promise<void>;
}
