import type { Clock } from "../../util/clock.js";
import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import type { MetricsStore } from "./store/metrics-store.js";

/**
 * CloudWatch keeps one-minute data for 15 days (then only 5-minute and hourly rollups, which
 * OpenRunner does not keep): GetMetricStatistics can look back exactly as far as on AWS at
 * one-minute resolution.
 */
export const RETENTION_MS = 15 * 24 * 60 * 60 * 1000;
/** Sweeping deletes at most ten minutes' worth of rows per series at a time. */
export const SWEEP_EVERY_MS = 10 * 60 * 1000;

const MINUTE_MS = 60_000;

/**
 * The minute before which stored minutes are deleted, or undefined when nothing is old enough.
 * A minute is kept while any part of it is inside the retention window.
 */
export function retentionCutoff(nowMs: number, oldestMinute: number | undefined, retentionMs = RETENTION_MS): number | undefined {
  const cutoff = Math.floor((nowMs - retentionMs) / MINUTE_MS);
  return oldestMinute !== undefined && oldestMinute < cutoff ? cutoff : undefined;
}

/** Runs retention at start and then every SWEEP_EVERY_MS (a task that never keeps the process alive). */
export class RetentionSweeper {
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: MetricsStore,
    private readonly clock: Clock,
    private readonly logger: (message: string, fields?: Record<string, unknown>) => void,
    private readonly retentionMs = RETENTION_MS,
    schedule: { everyMs?: number; timers?: TaskTimers } = {},
  ) {
    this.task = new PeriodicTask({
      name: "metrics retention sweep",
      everyMs: schedule.everyMs ?? SWEEP_EVERY_MS,
      firstRunMs: 0,
      run: () => void this.sweep(),
      logger,
      ...(schedule.timers ? { timers: schedule.timers } : {}),
    });
  }

  sweep(): number {
    const cutoff = retentionCutoff(this.clock.now(), this.store.oldestMinute(), this.retentionMs);
    if (cutoff === undefined) return 0;
    const removed = this.store.deleteBefore(cutoff);
    if (removed > 0) this.logger("metrics retention removed old minutes", { removed });
    return removed;
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }
}
