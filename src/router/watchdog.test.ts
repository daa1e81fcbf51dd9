import assert from "node:assert/strict";
import { test } from "node:test";
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
    dog.stop();
  }
  assert.equal(alive, true);
  assert.equal(attempts, 3);
  assert.deepEqual(logged, [1, 2]);
});
