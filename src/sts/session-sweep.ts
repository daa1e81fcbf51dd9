import type { Clock } from "../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";

/** What the sweep needs of the store's sessions. */
export interface ExpiredSessions {
  /** Deletes up to `limit` sessions that expired before `before` (ms); how many it deleted. */
  deleteExpired(before: number, limit: number): number;
}

export const SESSION_SWEEP = {
  everyMs: 10 * 60_000,
  /**
   * An expired session is kept an hour longer, so a client still using it is told its token
   * expired (ExpiredToken, which SDKs act on by refreshing) rather than that its key is unknown.
   */
  graceMs: 60 * 60_000,
  /** Rows per transaction: a sweep never holds the store's lock for long. */
  batch: 1_000,
} as const;

/** Deletes expired temporary credentials in the background; a run returns how many it deleted. */
export function sessionSweep(o: {
  sessions: ExpiredSessions;
  clock: Clock;
  logger: TaskLogger;
  everyMs?: number;
  graceMs?: number;
  timers?: TaskTimers;
}): PeriodicTask<number> {
  const graceMs = o.graceMs ?? SESSION_SWEEP.graceMs;
  return new PeriodicTask<number>({
    name: "expired STS session sweep",
    everyMs: o.everyMs ?? SESSION_SWEEP.everyMs,
    logger: o.logger,
    ...(o.timers ? { timers: o.timers } : {}),
    run: async (signal) => {
      let total = 0;
      for (;;) {
        const n = o.sessions.deleteExpired(o.clock.now() - graceMs, SESSION_SWEEP.batch);
        total += n;
        if (n < SESSION_SWEEP.batch || signal.aborted) return total;
        // Let requests in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  });
}
