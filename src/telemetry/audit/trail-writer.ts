import { Worker } from "node:worker_threads";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { PackedBatch } from "./packed-trail.js";
import type { AppendAnswer, AppendMessage, PriorityWarning, WriterThreadData } from "./trail-writer-thread.js";

const THREAD = new URL("./trail-writer-thread.js", import.meta.url);

export interface TrailWriterOptions {
  /**
   * The writer thread's nice value (Linux). At the event loop's priority, the thread's
   * transactions took the CPU from the API's answers on a two-core machine and lengthened their
   * tail (docs/performance.md, "December (3)").
   */
  nice?: number;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Lower than the event loop, not lowest: under load from elsewhere the trail still keeps up (see TrailRecorder's maxBuffered). */
export const TRAIL_WRITER_NICE = 10;

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Appends recorded calls to `trail.db` on a worker thread. Every API call becomes an event
 * with ten index entries; written on the thread that answers the API, a batch of 500 held the
 * event loop for ~10 ms and cost ~30 µs of its time per call (docs/performance.md). Batches
 * are written in the order sent; a thread that dies fails what it held, and the next batch
 * starts a new one.
 */
export class TrailWriter {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** The thread being ended: it keeps the process alive until it has exited. */
  private closing: Worker | undefined;

  constructor(
    private readonly file: string,
    private readonly options: TrailWriterOptions = {},
  ) {}

  append(batch: PackedBatch): Promise<void> {
    const worker = (this.worker ??= this.startThread());
    const id = this.nextId++;
    // Referenced while a batch is out, so whoever awaits it is not left behind by an exiting event loop.
    if (this.waiting.size === 0) worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // One ArrayBuffer, copied once by the message; kept here for a retry if the thread fails it.
      worker.postMessage({ id, batch } satisfies AppendMessage);
    });
  }

  /** Ends the thread after the batches already sent; they are written first. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((ok) => worker.once("exit", () => ok()));
    this.closing = worker;
    worker.ref();
    worker.postMessage("close");
    await exited;
  }

  private startThread(): Worker {
    // No flags from the parent: under `node --test`, the thread would otherwise start a test runner instead of the writer.
    const workerData: WriterThreadData = { file: this.file, nice: this.options.nice ?? TRAIL_WRITER_NICE };
    const worker = new Worker(THREAD, { workerData, execArgv: [] });
    // Idle, the thread does not keep the process alive; close() ends it on shutdown.
    worker.on("message", (a: AppendAnswer | PriorityWarning) => {
      if ("warning" in a) {
        this.options.logger?.(a.warning);
        return;
      }
      const w = this.waiting.get(a.id);
      this.waiting.delete(a.id);
      if (this.waiting.size === 0 && this.closing !== worker) worker.unref();
      if (a.error === undefined) w?.resolve();
      else w?.reject(new AppRunnerError("InternalServiceError", `audit trail write failed: ${a.error}`));
    });
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on("error", (err) => fail(err));
    worker.on("exit", (code) => fail(new AppRunnerError("InternalServiceError", `audit trail writer thread exited (code ${code})`)));
    return worker;
  }
}
