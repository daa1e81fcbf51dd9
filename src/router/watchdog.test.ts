import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualTimers } from "../util/manual-timers.js";
import { MAX_RESTART_BACKOFF_MS, nextCheckMs, Watchdog } from "./watchdog.js";

test("nextCheckMs: the check interval while restarts work, then a doubling back-off with a ceiling", () => {
  const table: Array<[number, number]> = [
    [0, 200],
    [1, 400],
    [2, 800],
    [5, 6400],
    [6, MAX_RESTART_BACKOFF_MS],
    [40, MAX_RESTART_BACKOFF_MS],
  ];
  for (const [failures, want] of table) assert.equal(nextCheckMs(200, failures), want, `after ${failures} failures`);
});

test("Watchdog restarts a dead data plane, retries a failed restart and logs only at powers of two", async () => {
  let alive = false;
  let attempts = 0;
  const logged: number[] = [];
  const dog = new Watchdog({
    everyMs: 1,
    alive: () => Promise.resolve(alive),
    restart: () => {
      attempts++;
      if (attempts < 3) return Promise.reject(new Error("port busy"));
      alive = true;
      return Promise.resolve();
    },
    logger: (_m, f) => logged.push(Number(f?.failures)),
  });
  dog.start();
  try {
    for (let i = 0; i < 200 && !alive; i++) await new Promise((r) => setTimeout(r, 5));
  } finally {
    await dog.stop();
  }
  assert.equal(alive, true);
  assert.equal(attempts, 3);
  assert.deepEqual(logged, [1, 2]);
});

test("Watchdog waits the back-off between checks while restarts fail, and the base interval again once one works", async () => {
  const timers = new ManualTimers();
  let attempts = 0;
  const dog = new Watchdog({
    everyMs: 200,
    alive: () => Promise.resolve(false),
    restart: () => (++attempts <= 3 ? Promise.reject(new Error("port busy")) : Promise.resolve()),
    logger: () => undefined,
    timers,
  });
  dog.start();
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [wait] = timers.scheduled();
    assert.ok(wait !== undefined, `a check is scheduled after ${i} checks`);
    waits.push(wait);
    await timers.advance(wait);
  }
  await dog.stop();
  assert.deepEqual(waits, [200, nextCheckMs(200, 1), nextCheckMs(200, 2), nextCheckMs(200, 3), 200]);
  assert.deepEqual(timers.scheduled(), [], "nothing is scheduled after stop");
});
