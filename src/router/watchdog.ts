import { PeriodicTask, type TaskTimers } from "../util/periodic-task.js";
import type { Logger } from "./haproxy-process.js";

/** Longest pause between attempts while restarting keeps failing. */
export const MAX_RESTART_BACKOFF_MS = 10_000;

/** Pure: the pause before the next check, after `failures` failed restarts in a row. */
export function nextCheckMs(everyMs: number, failures: number): number {
  return failures === 0 ? everyMs : Math.min(MAX_RESTART_BACKOFF_MS, everyMs * 2 ** failures);
}

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

export interface WatchdogOptions {
  /** How often the data plane is checked (a PID check: two small /proc reads). */
  everyMs: number;
  alive: () => Promise<boolean>;
  /** Brings the data plane back; throws when it could not. */
  restart: () => Promise<void>;
  logger: Logger;
  /** Node's timers unless a test drives them. */
  timers?: TaskTimers;
}

/**
 * Nothing else restarts HAProxy: a master that exits (a crashed worker takes it down) would leave
 * every service unreachable until the control plane restarts. One check at a time; a restart that
 * fails is retried with a back-off and logged at 1, 2, 4, ... failures, not at every check.
 */
export class Watchdog {
  private task: PeriodicTask | undefined;
  private failures = 0;

  constructor(private readonly opts: WatchdogOptions) {}

  /** Idempotent. */
  start(): void {
    if (this.task) return;
    this.task = new PeriodicTask({
      name: "data plane watchdog",
      everyMs: this.opts.everyMs,
      nextRunInMs: () => nextCheckMs(this.opts.everyMs, this.failures),
      run: () => this.check(),
      logger: this.opts.logger,
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
    });
    this.task.start();
  }

  /** No check after this; resolves once the check under way has ended. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await task?.stop();
  }

  /** Never throws: a failed restart counts towards the back-off and is logged at powers of two. */
  private async check(): Promise<void> {
    try {
      if (!(await this.opts.alive())) await this.opts.restart();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      if (isPowerOfTwo(this.failures)) {
        this.opts.logger("data plane: restarting HAProxy failed", { failures: this.failures, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}
