import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";
import type { KeyAdministration } from "./key-administration.js";

/** Between sweeps: a key's deletion date is days away, so a minute late is nothing. */
export const DEFAULT_KEY_DELETION_SWEEP_MS = 60_000;

/**
 * Deletes for good the keys whose pending-deletion window has passed (KMS's ScheduleKeyDeletion):
 * their material goes, so their ciphertexts never open again.
 */
export function keyDeletionSweep(
  keys: Pick<KeyAdministration, "deleteDueKeys">,
  logger: TaskLogger,
  options: { everyMs?: number; timers?: TaskTimers } = {},
): PeriodicTask<string[]> {
  return new PeriodicTask<string[]>({
    name: "KMS key deletion sweep",
    everyMs: options.everyMs ?? DEFAULT_KEY_DELETION_SWEEP_MS,
    timers: options.timers,
    logger,
    run: () => {
      const deleted = keys.deleteDueKeys();
      for (const arn of deleted) logger("a KMS key's deletion window passed: the key is deleted", { keyArn: arn });
      return deleted;
    },
  });
}
