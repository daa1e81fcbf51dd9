import { AppRunnerError } from "../errors/app-runner-error.js";

/*
 * DeleteSecret's recovery window: 7 to 30 days (30 by default), or none with
 * ForceDeleteWithoutRecovery. A secret whose window has ended is gone for every call at once;
 * the purge only reclaims its rows later.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_RECOVERY_WINDOW_DAYS = 30;
export const MIN_RECOVERY_WINDOW_DAYS = 7;
export const MAX_RECOVERY_WINDOW_DAYS = 30;

/** When a secret deleted at `now` is gone: now + the window, or now for a forced deletion. */
export function deletionDateOf(now: number, input: { RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }): number {
  if (input.ForceDeleteWithoutRecovery === true && input.RecoveryWindowInDays !== undefined) {
    throw new AppRunnerError("InvalidParameter", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (input.ForceDeleteWithoutRecovery === true) return now;
  const days = input.RecoveryWindowInDays ?? DEFAULT_RECOVERY_WINDOW_DAYS;
  if (!Number.isInteger(days) || days < MIN_RECOVERY_WINDOW_DAYS || days > MAX_RECOVERY_WINDOW_DAYS) {
    throw new AppRunnerError("InvalidParameter", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  return now + days * DAY_MS;
}

/** Whether a secret is past its recovery window (gone, whether or not the purge has run). */
export const isGone = (secret: { deletionDate: number | undefined }, now: number): boolean => secret.deletionDate !== undefined && secret.deletionDate <= now;

/** Whether a secret is scheduled for deletion and still in its window (restorable, but refuses its value). */
export const isScheduledForDeletion = (secret: { deletionDate: number | undefined }, now: number): boolean =>
  secret.deletionDate !== undefined && secret.deletionDate > now;

/** AWS reports the last access as a day: midnight UTC of it. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
