import type { TaskTimers, TimerHandle } from "./periodic-task.js";

interface Pending {
  handle: TimerHandle;
  due: number;
  seq: number;
  fn: () => void;
}

/** Lets promise callbacks and I/O callbacks that are already due run (a few turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((ok) => setImmediate(ok));
}

/**
 * Timers for tests: time moves only through advance(), which fires what falls due in order and
 * lets each callback's promises settle before the next, so a periodic task is driven exactly.
 */
export class ManualTimers implements TaskTimers {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.pending.push({ handle, due: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.handle !== handle);
  }

  /** Delays of the timers now pending, from now, soonest first. */
  scheduled(): number[] {
    return this.sorted().map((p) => p.due - this.t);
  }

  /** Moves time forward by ms, firing every timer due on the way (and those they set, if due). */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    for (;;) {
      const next = this.sorted()[0];
      if (!next || next.due > until) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = next.due;
      next.fn();
      await settle();
    }
    this.t = Math.max(this.t, until);
  }

  private sorted(): Pending[] {
    return [...this.pending].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }
}
