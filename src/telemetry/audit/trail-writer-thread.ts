/**
 * The worker side of TrailWriter: opens `trail.db` on its own connection and appends each
 * batch it is sent, in order, answering with the batch's id (and the error, if any).
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { unpackRows, type PackedBatch } from "./packed-trail.js";
import { TrailStore } from "./trail-store.js";

export interface AppendMessage {
  id: number;
  /** The batch's rows as bytes (packed-trail.ts), made rows again here. */
  batch: PackedBatch;
}
export interface AppendAnswer {
  id: number;
  error?: string;
}
/** Told once, when the thread could not lower its priority (it then writes at the event loop's). */
export interface PriorityWarning {
  warning: string;
}
export interface WriterThreadData {
  file: string;
  /** The thread's nice value (Linux), above the event loop's 0. */
  nice: number;
}

const port = parentPort;
if (port) {
  const { file, nice } = workerData as WriterThreadData;
  // On Linux a thread is a task of its own: setpriority(PRIO_PROCESS, 0) from this thread lowers this
  // thread only, so when the event loop and the writer want the same CPU, the event loop (which
  // answers the API) gets it; the writer still has every CPU nobody else wants.
  if (process.platform === "linux" && nice > 0) {
    try {
      setPriority(0, nice);
    } catch (err) {
      port.postMessage({ warning: `audit trail writer keeps the event loop's priority: ${err instanceof Error ? err.message : String(err)}` } satisfies PriorityWarning);
    }
  }
  let store: TrailStore | undefined;
  port.on("message", (m: AppendMessage | "close") => {
    if (m === "close") {
      store?.close();
      port.close();
      return;
    }
    try {
      store ??= TrailStore.open(file);
      store.appendRows(unpackRows(m.batch));
      port.postMessage({ id: m.id } satisfies AppendAnswer);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies AppendAnswer);
    }
  });
}
