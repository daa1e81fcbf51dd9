/** How hard to try one delivery. AWS tries for up to 24 hours; OpenRunner's default is about a minute. */
export interface RetrySettings {
  /** Attempts in all (the first included) before the delivery becomes a dead letter. */
  maxAttempts: number;
  /** Wait after the first failure; each later wait is `factor` times the one before, at most maxDelayMs. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

/** 5 attempts, waiting 1.5 s, 4.5 s, 13.5 s and 40.5 s between them: about one minute in all. */
export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 5, baseDelayMs: 1_500, factor: 3, maxDelayMs: 60_000 };

export type AttemptResult = { ok: true } | { ok: false; retryable: boolean; error: string };

export type Decision =
  | { kind: "delivered" }
  | { kind: "retry"; at: number; error: string }
  | { kind: "dead-letter"; error: string };

/** The wait after the `failures`-th failed attempt (1-based). */
export function backoffMs(failures: number, s: RetrySettings): number {
  return Math.min(s.maxDelayMs, s.baseDelayMs * s.factor ** Math.max(0, failures - 1));
}

/**
 * What to do after an attempt. `attempts` counts this one. A failure that retrying cannot fix
 * (a 4xx other than the ones API destinations retry), the last allowed attempt, or a next
 * attempt that would come after the event's maximum age, ends in a dead letter.
 */
export function decide(
  d: { attempts: number; maxAttempts: number; giveUpAt: number | undefined },
  result: AttemptResult,
  now: number,
  s: RetrySettings,
): Decision {
  if (result.ok) return { kind: "delivered" };
  if (!result.retryable) return { kind: "dead-letter", error: `${result.error} (not retried)` };
  if (d.attempts >= d.maxAttempts) return { kind: "dead-letter", error: result.error };
  const at = now + backoffMs(d.attempts, s);
  if (d.giveUpAt !== undefined && at > d.giveUpAt) return { kind: "dead-letter", error: `${result.error} (maximum event age reached)` };
  return { kind: "retry", at, error: result.error };
}

/**
 * An HTTP answer as API destinations judge it: 2xx is delivered; 401, 407, 409, 429 and 5xx
 * are retried; anything else (other 4xx, 3xx: redirects are not followed) fails for good.
 */
export function resultOfStatus(status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true };
  const retryable = status >= 500 || status === 401 || status === 407 || status === 409 || status === 429;
  return { ok: false, retryable, error: `HTTP ${status}` };
}
