import type { SourceBuilder } from "../../builder/source-builder.js";
import { secretReferencesOfImage } from "../../builder/types.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { repositoryComponent } from "../../images/reference.js";
import type { ImageStore, PullResult } from "../../images/types.js";
import { cpuMillicores, memoryBytes } from "../../runtime/instance-plan.js";
import type { ArtifactContext, ArtifactRequest, ArtifactResolver, BuiltImageKeeper, PullAccess, ResolvedArtifact } from "./types.js";

export interface HostArtifactOptions {
  /** The image store the driver runs images from. */
  images: ImageStore;
  /** Builds source-code services; without one, they fail with a clear message. */
  builder?: SourceBuilder;
  /** Keeps each built image in the built-in registry; without one, built images stay on this host only. */
  keeper?: BuiltImageKeeper;
  /** Asks the service's access role before an image service's image is pulled; without one, images are pulled without asking. */
  pullAccess?: PullAccess;
}

/** App Runner's default port, when a built image names none. */
const DEFAULT_BUILT_PORT = 8080;

/**
 * Artifacts in this host's image store: an image service's image is pulled, a code service's
 * source is built into an image there, and a resume finds the image that ran before the pause.
 */
export class HostArtifactResolver implements ArtifactResolver {
  constructor(private readonly opts: HostArtifactOptions) {}

  async resolve(req: ArtifactRequest, ctx: ArtifactContext): Promise<ResolvedArtifact> {
    const identifier = req.source.ImageRepository?.ImageIdentifier;
    if (identifier) {
      this.opts.pullAccess?.check({
        identifier,
        repositoryType: req.source.ImageRepository?.ImageRepositoryType,
        accessRoleArn: req.source.AuthenticationConfiguration?.AccessRoleArn,
        serviceName: req.serviceName,
        deploymentId: req.operationId ?? req.deploymentId,
      });
      ctx.step?.("pull");
      const pulled = await this.opts.images.pull(identifier, { digest: req.pinnedDigest, log: ctx.log, signal: ctx.signal });
      return { identifier, digest: pulled.resolvedDigest, manifestDigest: pulled.image.manifestDigest };
    }
    if (!this.opts.builder) {
      throw new AppRunnerError("BuildFailed", "Building source code is not available on this host. Deploy a container image instead.");
    }
    let pulled: PullResult;
    let commit: string | undefined;
    if (req.pinnedDigest) {
      pulled = await this.builtBefore(req, req.pinnedDigest, ctx);
    } else {
      const limits = { cpuMillicores: cpuMillicores(req.instance.Cpu), memoryBytes: memoryBytes(req.instance.Memory) };
      const built = await this.opts.builder.build({ ...req, limits }, ctx);
      pulled = built.pulled;
      commit = built.commit;
    }
    const secrets = secretReferencesOfImage(pulled.image.config.labels);
    return {
      identifier: await this.keep(req, pulled.image.manifestDigest, ctx),
      digest: pulled.resolvedDigest,
      manifestDigest: pulled.image.manifestDigest,
      // The built image carries the start command, run.env and PORT; only the port is the service's.
      port: pulled.image.config.exposedPorts[0] ?? DEFAULT_BUILT_PORT,
      ...(commit ? { commit } : {}),
      // And its secrets' references (a resume finds them again on the image), resolved by the deploy phase.
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
    };
  }

  /** ResumeService runs the image built before the pause, a rollback its deployment's: no new commit, no rebuild; pulled from where it was kept if it left this host. */
  private async builtBefore(req: ArtifactRequest, digest: string, ctx: ArtifactContext): Promise<PullResult> {
    const [verb, what] = req.pinnedFor === "rollback" ? ["Rolling back", "The image built for that deployment"] : ["Resuming", "The image built before the pause"];
    const image = await this.opts.images.get(digest);
    if (image) {
      ctx.log(
        req.pinnedFor === "rollback"
          ? `[AppRunner] Rolling back with the image built for that deployment (${digest}), found on this host: no build.`
          : `[AppRunner] Resuming with the image built before the pause (${digest}).`,
      );
      return { resolvedDigest: digest, image };
    }
    const keeper = this.opts.keeper;
    if (!keeper) throw new AppRunnerError("BuildFailed", `${what} (${digest}) is no longer on this host.`);
    const from = keeper.identifierOf(req, digest);
    ctx.log(`[AppRunner] ${verb} with ${what.toLowerCase()}, pulled from ${from}.`);
    ctx.step?.("pull");
    try {
      return await this.opts.images.pull(from, { digest, log: ctx.log, signal: ctx.signal });
    } catch (err) {
      ctx.signal.throwIfAborted();
      throw new AppRunnerError("BuildFailed", `${what} (${digest}) is no longer on this host, and pulling it from ${from} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Keeps the image in the built-in registry under this deployment's id (a resume tags it
   * again: a few HEADs). A registry that cannot take it does not fail the deployment, which
   * runs the image from this host as before, with a warning in its log.
   */
  private async keep(req: ArtifactRequest, manifestDigest: string, ctx: ArtifactContext): Promise<string> {
    const onHost = `openrunner.local/${repositoryComponent(req.serviceName)}@${manifestDigest}`;
    const keeper = this.opts.keeper;
    if (!keeper) return onHost;
    ctx.step?.("push");
    try {
      return await keeper.keep({ serviceId: req.serviceId, serviceName: req.serviceName, deploymentId: req.operationId ?? req.deploymentId }, manifestDigest, ctx);
    } catch (err) {
      ctx.signal.throwIfAborted();
      ctx.log(`[AppRunner] Warning: the built image could not be kept in the built-in registry (${(err as Error).message}); it runs from this host only.`);
      return onHost;
    }
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.opts.images.using(fn);
  }

  async forget(serviceId: string): Promise<void> {
    await this.opts.builder?.cleanup(serviceId);
    await this.opts.keeper?.forget(serviceId);
  }
}
