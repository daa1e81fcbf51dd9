/**
 * Where log lines are written: the log store of the logs module (`src/telemetry/logs`), which
 * buffers them and writes them in batches to its own database.
 */
export interface LogSink {
  append(group: string, stream: string, events: readonly { timestamp: number; message: string }[]): void;
  /** Writes what append() buffered now, for lines that must survive a crash right after. */
  flush?(): void;
}

/** For a control plane run without the logs module (and for callers that write no lines). */
export const DISCARD_LOGS: LogSink = { append: () => undefined };
