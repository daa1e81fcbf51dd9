import type { SecretStore } from "../store/secrets/secret-store.js";
import type { TagRepository } from "../store/tags.js";
import type { Clock } from "../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";

/**
 * Between purges of secrets past their recovery window. Such a secret is already gone for every
 * call (lookups compare its deletion date with the clock); the purge only removes its rows.
 */
export const DEFAULT_PURGE_EVERY_MS = 60 * 60 * 1000;

export interface PurgeDeps {
  secrets: SecretStore;
  tags: TagRepository;
  tx: <T>(fn: () => T) => T;
  clock: Clock;
  logger: TaskLogger;
}

/** Removes every secret whose recovery window has ended (versions, labels, tags); returns how many. */
export function purgeDeletedSecrets(deps: PurgeDeps): number {
  const due = deps.secrets.dueForDeletion(deps.clock.now());
  for (const s of due) {
    deps.tx(() => {
      deps.secrets.remove(s.arn);
      deps.tags.removeAll(s.arn);
    });
    deps.logger("secret deleted at the end of its recovery window", { secretArn: s.arn });
  }
  return due.length;
}

export function secretPurger(deps: PurgeDeps, opts: { everyMs?: number; timers?: TaskTimers } = {}): PeriodicTask<number> {
  return new PeriodicTask<number>({
    name: "Secrets Manager deletion purge",
    everyMs: opts.everyMs ?? DEFAULT_PURGE_EVERY_MS,
    run: () => purgeDeletedSecrets(deps),
    logger: deps.logger,
    timers: opts.timers,
  });
}
