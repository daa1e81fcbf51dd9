import type { TrailEntry } from "./cloudtrail-event.js";

/**
 * Where recorded events wait, and what a batch of them is: an array of the entries
 * (arrayQueue), or their rows packed as bytes for the writer thread (packed-trail.ts).
 */
export interface RecordQueue<E, B> {
  readonly length: number;
  push(entry: E): void;
  /** Everything waiting, oldest first, as one batch; the queue is empty afterwards. */
  take(): B;
  /** A batch whose write failed goes back in front of what was recorded since. */
  putBack(batch: B): void;
  dropOldest(n: number): void;
  /** How many events a batch holds. */
  sizeOf(batch: B): number;
  clear(): void;
}

/** Entries waiting as they are, a batch an array of them. */
export function arrayQueue<E>(): RecordQueue<E, readonly E[]> {
  let waiting: E[] = [];
  return {
    get length() {
      return waiting.length;
    },
    push: (e) => void waiting.push(e),
    take: () => {
      const batch = waiting;
      waiting = [];
      return batch;
    },
    putBack: (batch) => void (waiting = batch.concat(waiting)),
    dropOldest: (n) => void waiting.splice(0, n),
    sizeOf: (batch) => batch.length,
    clear: () => void (waiting = []),
  };
}

export interface RecorderOptions<E = TrailEntry, B = readonly E[]> {
  /** Where events wait between two writes. */
  queue: RecordQueue<E, B>;
  /**
   * Where a batch goes, called off the request path: synchronously (SQLite on this thread) or
   * as a promise (a writer thread). One asynchronous write at a time; what is recorded
   * meanwhile waits for the next batch.
   */
  write(batch: B): void | Promise<void>;
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
export class TrailRecorder<E = TrailEntry, B = readonly E[]> {
  private readonly queue: RecordQueue<E, B>;
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

  constructor(private readonly opts: RecorderOptions<E, B>) {
    this.queue = opts.queue;
    this.flushEveryMs = opts.flushEveryMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBuffered = opts.maxBuffered ?? 50_000;
  }

  record(entry: E): void {
    this.queue.push(entry);
    if (this.queue.length > this.maxBuffered) {
      const excess = this.queue.length - this.maxBuffered;
      this.queue.dropOldest(excess);
      this.dropped += excess;
    }
    if (this.stopped) return;
    if (this.queue.length >= this.batchSize) {
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
    return this.queue.length + this.inFlightEvents < this.maxBuffered;
  }

  /** Writes everything waiting now; LookupEvents calls this first so a caller reads its own calls. */
  flush(): void {
    if (this.dropped > 0) {
      this.opts.logger("audit trail dropped events: its store kept failing", { dropped: this.dropped });
      this.dropped = 0;
    }
    // An asynchronous write under way sends what came since when it ends.
    if (this.queue.length === 0 || this.inFlight) return;
    const batch = this.queue.take();
    try {
      const pending = this.opts.write(batch);
      if (pending instanceof Promise) {
        this.inFlightEvents = this.queue.sizeOf(batch);
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

  private failed(batch: B, err: unknown): void {
    this.inFlight = undefined;
    this.inFlightEvents = 0;
    this.queue.putBack(batch);
    this.opts.logger("audit trail write failed; will retry", {
      events: this.queue.sizeOf(batch),
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
    if (this.queue.length > 0) {
      this.opts.logger("audit trail lost events at shutdown", { events: this.queue.length });
      this.queue.clear();
    }
  }
}
