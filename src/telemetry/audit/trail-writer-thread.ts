/**
 * The worker side of TrailWriter: opens `trail.db` on its own connection and appends each
 * batch it is sent, in order, answering with the batch's id (and the error, if any).
 */
import { parentPort, workerData } from "node:worker_threads";
import { TrailStore, type TrailRow } from "./trail-store.js";

export interface AppendMessage {
  id: number;
  rows: readonly TrailRow[];
}
export interface AppendAnswer {
  id: number;
  error?: string;
}

const port = parentPort;
if (port) {
  const { file } = workerData as { file: string };
  let store: TrailStore | undefined;
  port.on("message", (m: AppendMessage | "close") => {
    if (m === "close") {
      store?.close();
      port.close();
      return;
    }
    try {
      store ??= TrailStore.open(file);
      store.appendRows(m.rows);
      port.postMessage({ id: m.id } satisfies AppendAnswer);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies AppendAnswer);
    }
  });
}
