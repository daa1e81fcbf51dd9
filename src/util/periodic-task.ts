import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Random } from "./random.js";

export type TaskLogger = (message: string, fields?: Record<string, unknown>) => void;

/** An opaque handle from TaskTimers.setTimeout. */
export type TimerHandle = object;

/** What a task schedules with: Node's timers in production, ManualTimers in tests. */
export interface TaskTimers {
  /** Monotonic milliseconds (only differences are used). */
  now(): number;
  /** Calls fn once after ms. A real timer must not keep the process alive by itself. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, unref'd: background work never keeps the process alive. */
export const nodeTimers: TaskTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PeriodicTaskOptions<T> {
  /** Names the task in log lines ("image watcher poll", "audit trail retention sweep"). */
  name: string;
  /** Time from the start of one run to the start of the next; 0: the task runs only when asked (runNow/runSoon). */
  everyMs: number;
  /** One run. `signal` aborts when the task stops; a run should return soon after. */
  run: (signal: AbortSignal) => T | Promise<T>;
  logger: TaskLogger;
  /** Delay of the first run after start() (default everyMs, or nextRunInMs(); 0 runs at once). */
  firstRunMs?: number;
  /**
   * Instead of everyMs's fixed spacing: the wait from the end of each run to the next, asked
   * after every run (and for the first run, without firstRunMs). For a back-off that grows with
   * failures, or a schedule kept in step with the clock (just after each second begins).
   */
  nextRunInMs?: () => number;
  /**
   * Each wait is lengthened or shortened by up to this fraction of itself (0..1, default 0), so
   * the same task of many servers (or many tasks started together) does not fire in step.
   */
  jitter?: number;
  /** Needed when jitter > 0. */
  random?: Random;
  timers?: TaskTimers;
  /** Added to every log line of this task (e.g. the data directory or a service). */
  context?: Record<string, unknown>;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Background work done every `everyMs`, the one way OpenRunner does it:
 * - single flight: runs never overlap; runNow() during a run promises the run after it (so a
 *   caller always gets a run that started after its call and saw what it changed), and every
 *   caller during the same run shares that one follow-up;
 * - a run that throws or rejects is logged with the task's name and context, never rethrown:
 *   no background promise can reject unhandled;
 * - stop() ends the schedule, aborts the run's signal and resolves once the run in flight ends.
 *
 * Not for timers that are not periodic background work: debounces (audit recorder, log write
 * buffer, the log tailer's fs.watch coalescing), per-request timeouts, one instance's health
 * probes (scheduled by its health checker) and one-shot deferred jobs stay plain timers.
 *
 * The bookkeeping of a run ends in a `.then` callback, which always runs after the caller has
 * the promise: a run with nothing to await cannot leave a settled promise behind as "in flight"
 * (what kept automatic deployment by polling from ever running again).
 */
export class PeriodicTask<T = void> {
  private readonly timers: TaskTimers;
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined;
  private started = false;
  private stopped = false;
  private inFlight: Promise<T | undefined> | undefined;
  /** The run promised to callers of runNow() during the one in flight. */
  private followUp: Promise<T | undefined> | undefined;
  /** runSoon() was asked during a run: the next run starts right after it. */
  private soon = false;

  constructor(private readonly opts: PeriodicTaskOptions<T>) {
    if (!(Number.isFinite(opts.everyMs) && opts.everyMs >= 0)) {
      throw new AppRunnerError("InternalServiceError", `${opts.name}: the interval must be a number of milliseconds >= 0, not ${opts.everyMs}`);
    }
    const jitter = opts.jitter ?? 0;
    if (!(jitter >= 0 && jitter <= 1) || (jitter > 0 && !opts.random)) {
      throw new AppRunnerError("InternalServiceError", `${opts.name}: jitter must be within 0..1 and comes with a source of randomness`);
    }
    this.timers = opts.timers ?? nodeTimers;
  }

  /** Whether a run is under way. */
  get running(): boolean {
    return this.inFlight !== undefined;
  }

  /** Schedules the first run (firstRunMs, else everyMs). Idempotent; a stopped task stays stopped. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.opts.firstRunMs !== undefined) this.schedule(this.opts.firstRunMs);
    else if (this.opts.nextRunInMs) this.schedule(this.opts.nextRunInMs());
    else if (this.opts.everyMs > 0) this.schedule(this.opts.everyMs);
  }

  /**
   * A run that starts now, or right after the one in flight. Resolves to its result, or
   * undefined when it failed (logged) or the task is stopped. Never rejects.
   */
  runNow(): Promise<T | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.inFlight) {
      this.followUp ??= this.inFlight.then(() => this.launch());
      return this.followUp;
    }
    return this.launch();
  }

  /** A run at the next turn of the event loop (or right after the one in flight); calls in a burst make one run. */
  runSoon(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.soon = true;
      return;
    }
    this.schedule(0);
  }

  /** No run after this; aborts the signal of the run in flight and resolves once it has ended. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.abort.abort(new AppRunnerError("InternalServiceError", `${this.opts.name} stopped`));
    await this.inFlight;
    await this.followUp;
  }

  private launch(): Promise<T | undefined> {
    this.followUp = undefined;
    this.soon = false;
    if (this.stopped) return Promise.resolve(undefined);
    this.clearTimer();
    const startedAt = this.timers.now();
    const run = (async (): Promise<T | undefined> => {
      try {
        return await this.opts.run(this.abort.signal);
      } catch (err) {
        this.opts.logger(`${this.opts.name} failed`, {
          task: this.opts.name,
          ...this.opts.context,
          error: errorText(err),
          elapsedMs: Math.round(this.timers.now() - startedAt),
        });
        return undefined;
      }
    })();
    const settled = run.then((value) => {
      if (this.inFlight === settled) this.inFlight = undefined;
      this.afterRun(startedAt);
      return value;
    });
    this.inFlight = settled;
    return settled;
  }

  /** The next run: the promised follow-up, a runSoon, nextRunInMs() from now, or everyMs after this one started. */
  private afterRun(startedAt: number): void {
    if (this.stopped || this.followUp) return;
    if (this.soon) {
      this.schedule(0);
      return;
    }
    if (!this.started) return;
    if (this.opts.nextRunInMs) {
      this.schedule(this.opts.nextRunInMs());
      return;
    }
    if (this.opts.everyMs === 0) return;
    this.schedule(Math.max(0, this.opts.everyMs - (this.timers.now() - startedAt)));
  }

  private schedule(baseMs: number): void {
    this.clearTimer();
    const ms = this.jittered(baseMs);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.launch();
    }, ms);
  }

  private jittered(ms: number): number {
    const jitter = this.opts.jitter ?? 0;
    if (jitter === 0 || ms === 0 || !this.opts.random) return ms;
    const unit = this.opts.random.bytes(4).readUInt32BE(0) / 0x1_0000_0000;
    return Math.max(0, Math.round(ms * (1 + jitter * (2 * unit - 1))));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
