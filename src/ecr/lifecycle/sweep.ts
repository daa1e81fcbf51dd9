import type { BuiltInRegistry } from "../../registry/types.js";
import type { Clock } from "../../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../../util/periodic-task.js";
import type { RepositoryStore } from "../repository-store.js";
import { expiredImages } from "./decide.js";
import { parseLifecyclePolicy } from "./policy.js";

/** ECR evaluates lifecycle policies within a day of a change; once an hour keeps a repository close to its policy. */
export const DEFAULT_LIFECYCLE_SWEEP_MS = 60 * 60 * 1000;

export interface LifecycleSweepResult {
  repositories: number;
  expired: number;
  failed: number;
}

export interface LifecycleSweepDeps {
  repositories: RepositoryStore;
  registry: Pick<BuiltInRegistry, "listImages" | "deleteImage">;
  clock: Clock;
  logger: TaskLogger;
}

/**
 * One pass over every repository with a lifecycle policy: the images it expires now are
 * deleted from the registry (with their tags). A repository whose images cannot be listed, or
 * an image that cannot be deleted, is logged and counted as failed; the others still go on.
 */
export async function sweepLifecyclePolicies(deps: LifecycleSweepDeps, signal?: AbortSignal): Promise<LifecycleSweepResult> {
  const result: LifecycleSweepResult = { repositories: 0, expired: 0, failed: 0 };
  for (const repo of deps.repositories.withLifecyclePolicy()) {
    if (signal?.aborted || repo.lifecyclePolicy === undefined) continue;
    result.repositories++;
    try {
      const policy = parseLifecyclePolicy(repo.lifecyclePolicy);
      const now = deps.clock.now();
      const images = await deps.registry.listImages(repo.name);
      for (const expiry of expiredImages(policy, images, now)) {
        try {
          await deps.registry.deleteImage(repo.name, expiry.digest);
          result.expired++;
          deps.logger("lifecycle policy expired an image", { repository: repo.name, digest: expiry.digest, rulePriority: expiry.rulePriority });
        } catch (err) {
          result.failed++;
          deps.logger("lifecycle policy could not delete an image", { repository: repo.name, digest: expiry.digest, error: String(err) });
        }
      }
      deps.repositories.markLifecycleEvaluated(repo.name, now);
    } catch (err) {
      result.failed++;
      deps.logger("lifecycle policy evaluation failed", { repository: repo.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/** The sweep as background work: every `everyMs`, and at once when asked (runNow). */
export function lifecycleSweeper(deps: LifecycleSweepDeps, opts: { everyMs?: number; timers?: TaskTimers } = {}): PeriodicTask<LifecycleSweepResult> {
  return new PeriodicTask<LifecycleSweepResult>({
    name: "ECR lifecycle policy sweep",
    everyMs: opts.everyMs ?? DEFAULT_LIFECYCLE_SWEEP_MS,
    run: (signal) => sweepLifecyclePolicies(deps, signal),
    logger: deps.logger,
    timers: opts.timers,
  });
}
