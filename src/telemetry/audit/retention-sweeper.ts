import type { Clock } from "../../util/clock.js";
import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import { retentionCutoff } from "./retention.js";
import type { TrailStore } from "./trail-store.js";

export interface SweeperOptions {
  store: TrailStore;
  clock: Clock;
  retentionDays: number;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  everyMs?: number;
  /** Rows deleted per transaction: small enough that API calls and lookups never wait long. */
  batch?: number;
  /** Tests: the sweep's timers (Node's by default). */
  timers?: TaskTimers;
}

const HOUR = 60 * 60 * 1000;
/** The first sweep soon after start: a server that was down for a month starts clean. */
const FIRST_SWEEP_MS = 1000;

/**
 * Deletes events past retention, a batch per turn of the event loop, then hands the freed
 * pages back to the file system. Lookups already hide expired events (they never look before
 * the cutoff), so the sweep only bounds the file's size and can run rarely.
 */
export class RetentionSweeper {
  private readonly task: PeriodicTask<number>;
  private readonly batch: number;

  constructor(private readonly opts: SweeperOptions) {
    this.batch = opts.batch ?? 1000;
    this.task = new PeriodicTask({
      name: "audit trail retention sweep",
      everyMs: opts.everyMs ?? HOUR,
      firstRunMs: FIRST_SWEEP_MS,
      run: (signal) => this.run(signal),
      logger: opts.logger,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
  }

  /** The first sweep a second after start, then every everyMs (hourly by default). */
  start(): void {
    this.task.start();
  }

  /** One full sweep (after the one under way, if any). Resolves to the number of events deleted. */
  async sweep(): Promise<number> {
    return (await this.task.runNow()) ?? 0;
  }

  private async run(signal: AbortSignal): Promise<number> {
    let total = 0;
    const cutoff = retentionCutoff(this.opts.clock, this.opts.retentionDays);
    while (!signal.aborted) {
      const n = this.opts.store.deleteExpired(cutoff, this.batch);
      total += n;
      if (n === 0) break;
      // Freed pages go back to the file system a bounded amount at a time, like the deletes.
      this.opts.store.reclaim(this.batch);
      if (n < this.batch) break;
      await new Promise<void>((ok) => setImmediate(ok));
    }
    if (total > 0) {
      this.opts.logger("audit trail: expired events deleted", { deleted: total, retentionDays: this.opts.retentionDays });
    }
    return total;
  }

  /** Stops the schedule and waits for a sweep in progress to finish its current batch. */
  async stop(): Promise<void> {
    await this.task.stop();
  }
}
