import type { SourceBuilder } from "../../builder/source-builder.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ImageStore, PullResult } from "../../images/types.js";
import { cpuMillicores, memoryBytes } from "../../runtime/instance-plan.js";
import type { ArtifactContext, ArtifactRequest, ArtifactResolver, ResolvedArtifact } from "./types.js";

export interface HostArtifactOptions {
  /** The image store the driver runs images from. */
  images: ImageStore;
  /** Builds source-code services; without one, they fail with a clear message. */
  builder?: SourceBuilder;
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
      // ResumeService runs the image built before the pause: no new commit, no rebuild.
      const image = await this.opts.images.get(req.pinnedDigest);
      if (!image) throw new AppRunnerError("BuildFailed", `The image built before the pause (${req.pinnedDigest}) is no longer on this host.`);
      ctx.log(`[AppRunner] Resuming with the image built before the pause (${req.pinnedDigest}).`);
      pulled = { resolvedDigest: req.pinnedDigest, image };
    } else {
      const limits = { cpuMillicores: cpuMillicores(req.instance.Cpu), memoryBytes: memoryBytes(req.instance.Memory) };
      const built = await this.opts.builder.build({ ...req, limits }, ctx);
      pulled = built.pulled;
      commit = built.commit;
    }
    return {
      identifier: `openrunner.local/${req.serviceName}@${pulled.image.manifestDigest}`,
      digest: pulled.resolvedDigest,
      manifestDigest: pulled.image.manifestDigest,
      // The built image carries the start command, run.env and PORT; only the port is the service's.
      port: pulled.image.config.exposedPorts[0] ?? DEFAULT_BUILT_PORT,
      ...(commit ? { commit } : {}),
    };
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.opts.images.using(fn);
  }

  async forget(serviceId: string): Promise<void> {
    await this.opts.builder?.cleanup(serviceId);
  }
}
