import type { Clock } from "../../util/clock.js";
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
}

const HOUR = 60 * 60 * 1000;

/**
 * Deletes events past retention, a batch per turn of the event loop, then hands the freed
 * pages back to the file system. Lookups already hide expired events (they never look before
 * the cutoff), so the sweep only bounds the file's size and can run rarely.
 */
export class RetentionSweeper {
  private first: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly batch: number;

  constructor(private readonly opts: SweeperOptions) {
    this.batch = opts.batch ?? 1000;
  }

  /** The first sweep soon after start (a server that was down for a month starts clean), then hourly. */
  start(): void {
    this.stopped = false;
    const tick = (): void => void this.sweep();
    this.first = setTimeout(tick, 1000);
    this.interval = setInterval(tick, this.opts.everyMs ?? HOUR);
    this.first.unref();
    this.interval.unref();
  }

  /** One full sweep; concurrent calls share it. Resolves to the number of events deleted. */
  sweep(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    let total = 0;
    try {
      const cutoff = retentionCutoff(this.opts.clock, this.opts.retentionDays);
      while (!this.stopped) {
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
    } catch (err) {
      this.opts.logger("audit trail retention sweep failed", { error: err instanceof Error ? err.message : String(err) });
    }
    return total;
  }

  /** Stops the timers and waits for a sweep in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.interval);
    await this.running;
  }
}
