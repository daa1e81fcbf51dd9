import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SharedExclusiveLock, SharedTasks } from "./concurrency.js";

describe("SharedTasks", () => {
  it("runs one task per key for concurrent callers", async () => {
    const tasks = new SharedTasks<number>();
    let starts = 0;
    const start = async (): Promise<number> => {
      starts++;
      await sleep(10);
      return 42;
    };
    assert.deepEqual(await Promise.all([tasks.run("a", start), tasks.run("a", start), tasks.run("b", start)]), [42, 42, 42]);
    assert.equal(starts, 2);
    assert.equal(await tasks.run("a", start), 42);
    assert.equal(starts, 3, "a finished task is not reused");
  });

  it("cancels the work only when every caller gave up, and never hands cancelled work to a newcomer", async () => {
    const tasks = new SharedTasks<string>();
    const signals: AbortSignal[] = [];
    const start = async (signal: AbortSignal): Promise<string> => {
      signals.push(signal);
      await sleep(30, undefined, { signal });
      return "done";
    };
    const quitter = new AbortController();
    const quitting = tasks.run("k", start, quitter.signal);
    const staying = tasks.run("k", start);
    quitter.abort(new Error("quit"));
    await assert.rejects(quitting, /quit/);
    assert.equal(await staying, "done");
    assert.equal(signals[0]?.aborted, false);

    const alone = new AbortController();
    const first = tasks.run("k", start, alone.signal);
    await sleep(1);
    alone.abort(new Error("gone"));
    await assert.rejects(first, /gone/);
    assert.equal(await tasks.run("k", start), "done");
    assert.equal(signals.length, 3);
    assert.equal(signals[1]?.aborted, true);
  });

  it("passes a failure to every caller", async () => {
    const tasks = new SharedTasks<void>();
    const fail = async (): Promise<void> => {
      await sleep(1);
      throw new Error("boom");
    };
    const results = await Promise.allSettled([tasks.run("x", fail), tasks.run("x", fail, new AbortController().signal)]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  });
});

describe("SharedExclusiveLock", () => {
  it("lets shared holders overlap and runs an exclusive holder alone", async () => {
    const lock = new SharedExclusiveLock();
    const events: string[] = [];
    const shared = (name: string, ms: number): Promise<void> =>
      lock.shared(async () => {
        events.push(`+${name}`);
        await sleep(ms);
        events.push(`-${name}`);
      });
    const a = shared("a", 20);
    const b = shared("b", 5);
    const x = lock.exclusive(async () => {
      events.push("+x");
      await sleep(5);
      events.push("-x");
    });
    await Promise.all([a, b, x]);
    assert.deepEqual(events.slice(0, 2), ["+a", "+b"]);
    assert.deepEqual(events.slice(-2), ["+x", "-x"]);
  });
});
