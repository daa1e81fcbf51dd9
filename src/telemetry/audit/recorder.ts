import type { TrailEntry } from "./cloudtrail-event.js";

export interface RecorderOptions<E = TrailEntry> {
  /**
   * Where a batch goes, called off the request path: synchronously (SQLite on this thread) or
   * as a promise (a writer thread). One asynchronous write at a time; what is recorded
   * meanwhile waits for the next batch.
   */
  write(entries: readonly E[]): void | Promise<void>;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** How long an event may wait in memory before it is written. */
  flushEveryMs?: number;
  /** A batch this large is written at the next turn of the event loop instead of waiting. */
  batchSize?: number;
  /** Past this many waiting events (the store keeps failing), the oldest are dropped and counted. */
  maxBuffered?: number;
}

/**
 * Buffers events and writes them in batches, so recording a call costs its API caller only an
 * array push: never a disk write, never an error. A failed write is logged and the batch kept
 * for the next flush (event ids make a retried batch idempotent), up to maxBuffered.
 */
export class TrailRecorder<E = TrailEntry> {
  private buffer: E[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private stopped = false;
  /** The asynchronous write under way, and how many events it carries. */
  private inFlight: Promise<void> | undefined;
  private inFlightEvents = 0;
  private readonly flushEveryMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;

  constructor(private readonly opts: RecorderOptions<E>) {
    this.flushEveryMs = opts.flushEveryMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBuffered = opts.maxBuffered ?? 50_000;
  }

  record(entry: E): void {
    this.buffer.push(entry);
    if (this.buffer.length > this.maxBuffered) {
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    if (this.stopped) return;
    if (this.buffer.length >= this.batchSize) {
      this.soon ??= setImmediate(() => {
        this.soon = undefined;
        this.flush();
      });
    } else {
      // A timer only while something waits: an idle server never wakes up for the trail.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.flushEveryMs).unref();
    }
  }

  /** Whether another event can wait without pushing out an older one: the trail admits calls only while it has. */
  hasRoom(): boolean {
    return this.buffer.length + this.inFlightEvents < this.maxBuffered;
  }

  /** Writes everything waiting now; LookupEvents calls this first so a caller reads its own calls. */
  flush(): void {
    if (this.dropped > 0) {
      this.opts.logger("audit trail dropped events: its store kept failing", { dropped: this.dropped });
      this.dropped = 0;
    }
    // An asynchronous write under way sends what came since when it ends.
    if (this.buffer.length === 0 || this.inFlight) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      const pending = this.opts.write(batch);
      if (pending instanceof Promise) {
        this.inFlightEvents = batch.length;
        this.inFlight = pending.then(
          () => this.written(),
          (err: unknown) => this.failed(batch, err),
        );
      }
    } catch (err) {
      this.failed(batch, err);
    }
  }

  /** Resolves once everything recorded before the call is written (or its write has failed and waits for a retry). */
  async settled(): Promise<void> {
    this.flush();
    while (this.inFlight) await this.inFlight;
  }

  private written(): void {
    this.inFlight = undefined;
    this.inFlightEvents = 0;
    this.flush();
  }

  private failed(batch: E[], err: unknown): void {
    this.inFlight = undefined;
    this.inFlightEvents = 0;
    this.buffer = batch.concat(this.buffer);
    this.opts.logger("audit trail write failed; will retry", {
      events: batch.length,
      error: err instanceof Error ? err.message : String(err),
    });
    if (!this.stopped) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.flushEveryMs).unref();
    }
  }

  /** Stops the timers and writes what is left (once more; a failure then is logged and lost). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    this.flush();
    if (!this.inFlight) this.dropLeftovers();
  }

  /** stop(), then waits for an asynchronous write under way (and the one after it) to end. */
  async close(): Promise<void> {
    this.stop();
    await this.settled();
    this.dropLeftovers();
  }

  private dropLeftovers(): void {
    if (this.buffer.length > 0) {
      this.opts.logger("audit trail lost events at shutdown", { events: this.buffer.length });
      this.buffer = [];
    }
  }
}
