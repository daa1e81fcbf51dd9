import type { CustomDomainTimings } from "./types.js";

/**
 * When the custom-domain controller looks at an association again: pure decisions on the clock's
 * time, so each is a table in schedule.test.ts.
 */
export const DEFAULT_TIMINGS: CustomDomainTimings = {
  firstCheckMs: 1_000,
  maxCheckMs: 5 * 60_000,
  validationTimeoutMs: 72 * 3_600_000,
  renewAtFraction: 2 / 3,
  firstRetryMs: 5_000,
  maxRetryMs: 3_600_000,
};

/** The controller wakes at least this often (renewals are checked every minute). */
export const IDLE_WAKE_MS = 60_000;

export function timingsOf(partial: Partial<CustomDomainTimings> | undefined): CustomDomainTimings {
  return { ...DEFAULT_TIMINGS, ...partial };
}

/** Doubling from `first` after each failure, up to `max`. `failures` counts the ones so far (>= 1 after the first). */
function doubling(first: number, max: number, failures: number): number {
  const n = Math.max(0, failures - 1);
  return Math.min(max, first * 2 ** Math.min(n, 40));
}

/** The wait before the next DNS check of a pending association that has been checked `checks` times. */
export function nextCheckDelay(t: CustomDomainTimings, checks: number): number {
  return doubling(t.firstCheckMs, t.maxCheckMs, checks);
}

/** The wait before retrying a failed order or renewal, after `failures` failures in a row. */
export function retryDelay(t: CustomDomainTimings, failures: number): number {
  return doubling(t.firstRetryMs, t.maxRetryMs, failures);
}

/** A pending association gives up (create_failed) once it has waited validationTimeoutMs. */
export function validationTimedOut(t: CustomDomainTimings, since: number, now: number): boolean {
  return now - since >= t.validationTimeoutMs;
}

/** When a certificate valid from notBefore to notAfter is renewed: renewAtFraction of its lifetime in. */
export function renewAfter(t: CustomDomainTimings, notBefore: number, notAfter: number): number {
  return Math.round(notBefore + (notAfter - notBefore) * t.renewAtFraction);
}

/**
 * The controller's next wake, from the times its associations want looking at (undefined: an
 * association waiting for nothing the controller can do). Never later than IDLE_WAKE_MS, never
 * in the past.
 */
export function wakeDelay(wakeAts: readonly (number | undefined)[], now: number): number {
  let soonest = now + IDLE_WAKE_MS;
  for (const at of wakeAts) if (at !== undefined && at < soonest) soonest = at;
  return Math.max(0, soonest - now);
}

/** "in 5 s", "in 2 min", "in 1 h": how a back-off reads in a message. */
export function inWords(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
