/**
 * Scale to zero and wake-up (issue 20): a pure function beside decide(), for services whose
 * owner opted in (an idle period). decide() keeps its floor of one instance while there is
 * traffic and never wakes a service from 0 on its own, so these two edges are decided here:
 * 1. Idle: a service with instances and no request for its whole idle period goes to 0. A request
 *    is seen by the data plane's request counter moving or by requests in flight or waiting, so a
 *    1 ms request between two samples still counts.
 * 2. Wake: a service at 0 with requests waiting (held by the data plane while it has no instance)
 *    gets as many instances as MaxConcurrency requires for them all to run at once (50 held at
 *    MaxConcurrency 10: 5), at least 1 and at most MaxSize.
 * Otherwise: undefined (at 0 and nothing waiting: stay; with instances: decide() scales).
 */
export interface ZeroInput {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Instances the service has now. */
  readonly current: number;
  /** The service's idle period (ms). */
  readonly idleMs: number;
  /** When a request was last seen (ms). */
  readonly lastActiveAt: number;
  /** Requests in flight or waiting now (a service at 0 has only waiting ones). */
  readonly waiting: number;
  readonly maxConcurrency: number;
  readonly maxSize: number;
}

export interface ZeroDecision {
  readonly desired: number;
  readonly reason: string;
}

export function decideZero(input: ZeroInput): ZeroDecision | undefined {
  const { now, current, idleMs, lastActiveAt, waiting, maxConcurrency, maxSize } = input;
  if (current === 0) {
    if (waiting <= 0) return undefined;
    const desired = Math.min(Math.max(1, maxSize), Math.max(1, Math.ceil(waiting / Math.max(1, maxConcurrency))));
    return {
      desired,
      reason: `waking from zero: ${waiting} request${waiting === 1 ? "" : "s"} waiting at MaxConcurrency ${maxConcurrency} want ${desired} instance${desired === 1 ? "" : "s"}`,
    };
  }
  if (waiting > 0) return undefined;
  const idle = now - lastActiveAt;
  if (idle < idleMs) return undefined;
  return { desired: 0, reason: `no request for ${Math.round(idle / 100) / 10} s (idle period ${Math.round(idleMs / 100) / 10} s)` };
}
