/** Where log lines are written: the control-plane store today, the log store of the observability module. */
export interface LogSink {
  append(group: string, stream: string, events: readonly { timestamp: number; message: string }[]): void;
}
