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
}

/**
 * Nothing else restarts HAProxy: a master that exits (a crashed worker takes it down) would leave
 * every service unreachable until the control plane restarts. One check at a time; a restart that
 * fails is retried with a back-off and logged at 1, 2, 4, ... failures, not at every check.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;

  constructor(private readonly opts: WatchdogOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.opts.everyMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.check(), ms);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (!this.running) return;
    try {
      if (!(await this.opts.alive())) await this.opts.restart();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      if (isPowerOfTwo(this.failures)) {
        this.opts.logger("data plane: restarting HAProxy failed", { failures: this.failures, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (this.running) this.schedule(nextCheckMs(this.opts.everyMs, this.failures));
  }
}
