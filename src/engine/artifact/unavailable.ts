import { AppRunnerError } from "../../errors/app-runner-error.js";
import { NO_RUNTIME_MESSAGE } from "../../runtime/unavailable-driver.js";
import type { ArtifactContext, ArtifactResolver, ResolvedArtifact } from "./types.js";

/**
 * Where artifacts come from when no runtime is installed: nowhere would run them, so a
 * deployment fails at once with the same reason the unavailable driver gives.
 */
export class UnavailableArtifactResolver implements ArtifactResolver {
  resolve(_req: unknown, ctx: ArtifactContext): Promise<ResolvedArtifact> {
    ctx.log(NO_RUNTIME_MESSAGE);
    return Promise.reject(new AppRunnerError("RuntimeUnavailable", NO_RUNTIME_MESSAGE));
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  forget(_serviceId: string): Promise<void> {
    return Promise.resolve();
  }
}
