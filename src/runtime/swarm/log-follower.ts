/**
 * Ships one task's stdout and stderr to its `instance/<task-id>` stream while the task runs.
 * The Engine API streams the log (follow); when the stream breaks while the task still runs,
 * the watcher's next pass opens it again from the last line shipped (`since`), dropping lines
 * not after it, so a reconnect neither loses nor repeats lines.
 */
import type { LogSink } from "../../telemetry/log-sink.js";
import type { Clock } from "../../util/clock.js";
import type { EngineApi } from "./engine-api.js";
import { LogFrameDecoder, sinceOf, splitStamp, stampAfter, type LogLine } from "./log-frames.js";

export interface TaskLogFollowerOptions {
  api: EngineApi;
  taskId: string;
  sink: LogSink;
  group: string;
  stream: string;
  clock: Clock;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

export class TaskLogFollower {
  private readonly abort = new AbortController();
  private lastStamp = "";
  private open = false;

  constructor(private readonly opts: TaskLogFollowerOptions) {}

  /** Opens the stream unless it is open (or the follower stopped). */
  ensure(): void {
    if (this.open || this.abort.signal.aborted) return;
    this.open = true;
    void this.follow().finally(() => {
      this.open = false;
    });
  }

  stop(): void {
    this.abort.abort();
  }

  /**
   * The task ended: its stream ends by itself once the daemon has sent the last lines; a stream
   * that does not (its node is gone) is closed after `graceMs`.
   */
  finish(graceMs: number): void {
    if (!this.open) {
      this.stop();
      return;
    }
    setTimeout(() => this.stop(), graceMs).unref();
  }

  private async follow(): Promise<void> {
    const decoder = new LogFrameDecoder();
    try {
      const since = this.lastStamp ? sinceOf(this.lastStamp) : undefined;
      const res = await this.opts.api.stream({
        path: `/tasks/${this.opts.taskId}/logs`,
        query: { follow: 1, stdout: 1, stderr: 1, timestamps: 1, since },
        signal: this.abort.signal,
      });
      for await (const chunk of res) this.ship(decoder.push(chunk as Buffer));
      this.ship(decoder.end());
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.opts.logger("following a task's log failed; the next pass opens it again", { taskId: this.opts.taskId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private ship(lines: readonly LogLine[]): void {
    const now = this.opts.clock.now();
    const events: { timestamp: number; message: string }[] = [];
    for (const l of lines) {
      const s = splitStamp(l.text, now);
      if (s.stamp) {
        if (this.lastStamp && !stampAfter(s.stamp, this.lastStamp)) continue;
        this.lastStamp = s.stamp;
      }
      // CloudWatch stores no empty events.
      if (s.message.length > 0) events.push({ timestamp: s.timestamp, message: s.message });
    }
    if (events.length > 0) this.opts.sink.append(this.opts.group, this.opts.stream, events);
  }
}
