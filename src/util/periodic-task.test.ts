import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualTimers, settle } from "./manual-timers.js";
import { PeriodicTask, type PeriodicTaskOptions } from "./periodic-task.js";
import type { Random } from "./random.js";

interface Harness {
  timers: ManualTimers;
  logs: { message: string; fields?: Record<string, unknown> }[];
  task: PeriodicTask<number>;
  runs: () => number;
}

function harness(opts: Partial<PeriodicTaskOptions<number>> & { work?: (n: number, signal: AbortSignal) => number | Promise<number> } = {}): Harness {
  const timers = new ManualTimers();
  const logs: Harness["logs"] = [];
  let n = 0;
  const task = new PeriodicTask<number>({
    name: "test task",
    everyMs: 100,
    logger: (message, fields) => logs.push({ message, fields }),
    timers,
    ...opts,
    run: (signal) => {
      n++;
      return opts.work ? opts.work(n, signal) : n;
    },
  });
  return { timers, logs, task, runs: () => n };
}

/** A promise and its resolver, to hold a run open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((ok) => {
    open = ok;
  });
  return { promise, open };
}

describe("PeriodicTask", () => {
  it("keeps running after runs that had nothing to await (automatic deployment by polling never ran again)", async () => {
    const h = harness();
    h.task.start();
    await h.timers.advance(100);
    assert.equal(h.runs(), 1);
    await h.timers.advance(100);
    assert.equal(h.runs(), 2);
    assert.equal(await h.task.runNow(), 3, "a run asked for runs, and resolves to its result");
    assert.equal(await h.task.runNow(), 4);
    assert.equal(h.task.running, false);
    await h.task.stop();
  });

  it("never overlaps runs: a call during a run gets the run after it, shared by every such caller", async () => {
    const held = gate();
    const order: string[] = [];
    const h = harness({
      work: async (n) => {
        order.push(`start ${n}`);
        if (n === 1) await held.promise;
        order.push(`end ${n}`);
        return n;
      },
    });
    const first = h.task.runNow();
    await settle();
    assert.equal(h.task.running, true);
    const second = h.task.runNow();
    const third = h.task.runNow();
    assert.equal(second, third, "callers during one run share one follow-up");
    held.open();
    assert.equal(await first, 1);
    assert.equal(await second, 2);
    assert.equal(await third, 2);
    assert.deepEqual(order, ["start 1", "end 1", "start 2", "end 2"]);
    await h.task.stop();
  });

  it("logs a failing run with its name and context, resolves undefined, and runs again on schedule", async () => {
    const h = harness({
      context: { dataDir: "/d" },
      work: async (n) => {
        if (n === 1) throw new Error("database is locked");
        if (n === 2) return Promise.reject(new Error("registry unreachable"));
        return n;
      },
    });
    h.task.start();
    await h.timers.advance(100);
    assert.equal(await h.task.runNow(), undefined);
    await h.timers.advance(100);
    assert.equal(h.runs(), 3);
    assert.deepEqual(
      h.logs.map((l) => [l.message, l.fields?.task, l.fields?.dataDir, l.fields?.error]),
      [
        ["test task failed", "test task", "/d", "database is locked"],
        ["test task failed", "test task", "/d", "registry unreachable"],
      ],
    );
    await h.task.stop();
  });

  it("stop aborts the run's signal, waits for it to end, and nothing runs afterwards", async () => {
    let sawAbort = false;
    const h = harness({
      work: async (n, signal) => {
        await new Promise<void>((ok) => signal.addEventListener("abort", () => ok(), { once: true }));
        sawAbort = signal.aborted;
        return n;
      },
    });
    h.task.start();
    await h.timers.advance(100);
    assert.equal(h.task.running, true);
    const follow = h.task.runNow();
    await h.task.stop();
    assert.equal(sawAbort, true);
    assert.equal(h.task.running, false);
    assert.equal(await follow, undefined, "the promised follow-up does not run once stopped");
    assert.equal(await h.task.runNow(), undefined);
    h.task.start();
    await h.timers.advance(1000);
    assert.equal(h.runs(), 1);
    assert.deepEqual(h.timers.scheduled(), []);
  });

  // The wait after a run: everyMs from the run's start, never negative.
  const scheduleCases: { name: string; everyMs: number; firstRunMs?: number; runMs: number; first: number; next: number }[] = [
    { name: "a quick run", everyMs: 100, runMs: 0, first: 100, next: 100 },
    { name: "a run taking 30 of 100 ms", everyMs: 100, runMs: 30, first: 100, next: 70 },
    { name: "a run longer than the interval", everyMs: 100, runMs: 250, first: 100, next: 0 },
    { name: "first run at once", everyMs: 100, firstRunMs: 0, runMs: 10, first: 0, next: 90 },
    { name: "first run after 1 s, then hourly", everyMs: 3_600_000, firstRunMs: 1000, runMs: 0, first: 1000, next: 3_600_000 },
  ];
  for (const c of scheduleCases) {
    it(`schedules ${c.name}`, async () => {
      const timers = new ManualTimers();
      const task = new PeriodicTask({
        name: "t",
        everyMs: c.everyMs,
        firstRunMs: c.firstRunMs,
        timers,
        logger: () => undefined,
        run: async () => {
          await timers.advance(c.runMs);
        },
      });
      task.start();
      assert.deepEqual(timers.scheduled(), [c.first]);
      await timers.advance(c.first);
      await settle();
      assert.deepEqual(timers.scheduled(), [c.next]);
      await task.stop();
    });
  }

  it("with everyMs 0, runs only when asked", async () => {
    const h = harness({ everyMs: 0 });
    h.task.start();
    await h.timers.advance(10_000);
    assert.equal(h.runs(), 0);
    assert.equal(await h.task.runNow(), 1);
    assert.deepEqual(h.timers.scheduled(), []);
    await h.task.stop();
  });

  it("runSoon: one run at the next turn for a burst of calls, and one right after a run in flight", async () => {
    const held = gate();
    const h = harness({ work: async (n) => (n === 2 ? held.promise.then(() => n) : n) });
    h.task.start();
    h.task.runSoon();
    h.task.runSoon();
    assert.deepEqual(h.timers.scheduled(), [0]);
    await h.timers.advance(0);
    assert.equal(h.runs(), 1);
    assert.deepEqual(h.timers.scheduled(), [100]);
    await h.timers.advance(100);
    assert.equal(h.task.running, true);
    h.task.runSoon();
    held.open();
    await settle();
    assert.deepEqual(h.timers.scheduled(), [0], "the run asked for during run 2 comes right after it");
    await h.timers.advance(0);
    assert.equal(h.runs(), 3);
    await h.task.stop();
  });

  const jitterCases: { unit: number; expected: number }[] = [
    { unit: 0, expected: 800 },
    { unit: 0.5, expected: 1000 },
    { unit: 0.75, expected: 1100 },
  ];
  for (const c of jitterCases) {
    it(`jitter 0.2 with a random draw of ${c.unit} waits ${c.expected} ms of 1000`, async () => {
      const random: Random = {
        bytes: (n) => {
          const b = Buffer.alloc(n);
          b.writeUInt32BE(Math.floor(c.unit * 0x1_0000_0000), 0);
          return b;
        },
      };
      const h = harness({ everyMs: 1000, jitter: 0.2, random });
      h.task.start();
      assert.deepEqual(h.timers.scheduled(), [c.expected]);
      await h.task.stop();
    });
  }

  // nextRunInMs: the wait after each run comes from the task (a back-off, a clock-aligned schedule).
  const nextRunCases: { name: string; firstRunMs?: number; failUntil: number; waits: number[] }[] = [
    // The first wait is asked too; each wait after a run reflects that run's outcome.
    { name: "a back-off that doubles while runs fail, and resets after one that works", failUntil: 2, waits: [100, 200, 400, 100, 100] },
    { name: "firstRunMs still sets the first wait", firstRunMs: 0, failUntil: 1, waits: [0, 200, 100, 100] },
    { name: "nothing fails: the base wait every time", failUntil: 0, waits: [100, 100, 100] },
  ];
  for (const c of nextRunCases) {
    it(`nextRunInMs: ${c.name}`, async () => {
      let failures = 0;
      const h = harness({
        everyMs: 0,
        ...(c.firstRunMs === undefined ? {} : { firstRunMs: c.firstRunMs }),
        nextRunInMs: () => 100 * 2 ** failures,
        work: (n) => {
          if (n <= c.failUntil) {
            failures++;
            throw new Error(`run ${n} failed`);
          }
          failures = 0;
          return n;
        },
      });
      h.task.start();
      const seen: number[] = [];
      for (let i = 0; i < c.waits.length; i++) {
        const [wait] = h.timers.scheduled();
        assert.ok(wait !== undefined, `a run is scheduled after ${i} runs`);
        seen.push(wait);
        await h.timers.advance(wait);
        await settle();
      }
      assert.deepEqual(seen, c.waits);
      assert.equal(h.logs.length, c.failUntil, "each failed run is logged");
      await h.task.stop();
      assert.deepEqual(h.timers.scheduled(), []);
    });
  }

  it("nextRunInMs: a runSoon asked during a run still comes right after it", async () => {
    const held = gate();
    const h = harness({ everyMs: 0, nextRunInMs: () => 700, work: async (n) => (n === 1 ? held.promise.then(() => n) : n) });
    h.task.start();
    assert.deepEqual(h.timers.scheduled(), [700]);
    await h.timers.advance(700);
    h.task.runSoon();
    held.open();
    await settle();
    assert.deepEqual(h.timers.scheduled(), [0]);
    await h.timers.advance(0);
    assert.equal(h.runs(), 2);
    assert.deepEqual(h.timers.scheduled(), [700]);
    await h.task.stop();
  });

  it("refuses intervals and jitter it cannot honour", () => {
    const base = { name: "t", logger: () => undefined, run: () => undefined };
    assert.throws(() => new PeriodicTask({ ...base, everyMs: -1 }), /interval/);
    assert.throws(() => new PeriodicTask({ ...base, everyMs: Number.NaN }), /interval/);
    assert.throws(() => new PeriodicTask({ ...base, everyMs: 10, jitter: 0.5 }), /randomness/);
    assert.throws(() => new PeriodicTask({ ...base, everyMs: 10, jitter: 2, random: { bytes: (n) => Buffer.alloc(n) } }), /jitter/);
  });

  it("runs through Node's own timers", async () => {
    let runs = 0;
    const task = new PeriodicTask({ name: "real", everyMs: 5, logger: () => undefined, run: () => void runs++ });
    task.start();
    const until = Date.now() + 5000;
    while (runs < 3 && Date.now() < until) await new Promise((ok) => setTimeout(ok, 5));
    await task.stop();
    assert.ok(runs >= 3, `ran ${runs} times`);
  });
});
