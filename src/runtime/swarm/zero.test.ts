import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_START_BACKOFF_MS, startBackoffMs } from "../start-backoff.js";
import { failedStart, replicasFor, StartFailures, WAKE_FAST_FOR_MS, waking, watchFast } from "./zero.js";

test("replicasFor: 0 stays 0 (scale to zero); other counts within MinSize..MaxSize, at least 1", () => {
  const rows: Array<[minSize: number, maxSize: number, desired: number, want: number]> = [
    [1, 5, 0, 0],
    [2, 5, 0, 0],
    [1, 5, 1, 1],
    [1, 5, 3, 3],
    [1, 5, 9, 5],
    [2, 5, 1, 2],
    [0, 5, -1, 1],
  ];
  for (const [minSize, maxSize, desired, want] of rows) assert.equal(replicasFor({ minSize, maxSize }, desired), want, `${minSize}..${maxSize} asked ${desired}`);
});

test("waking and failedStart: held requests get 503 only when the start they waited for failed", () => {
  const serving = (desired: number) => ({ role: "serving", desired });
  const rows: Array<{ name: string; d: { role: string; desired: number }; routable: number; verdict: "starting" | "healthy" | "unhealthy" | undefined; waking: boolean; failed: boolean }> = [
    { name: "woken, its task crashed before a check", d: serving(1), routable: 0, verdict: undefined, waking: true, failed: true },
    { name: "woken, its task crashed while starting", d: serving(1), routable: 0, verdict: "starting", waking: true, failed: true },
    { name: "woken, its task never passed", d: serving(2), routable: 0, verdict: "unhealthy", waking: true, failed: true },
    { name: "a task that served died: Swarm replaces it while requests wait", d: serving(1), routable: 0, verdict: "healthy", waking: true, failed: false },
    { name: "another task still takes requests", d: serving(2), routable: 1, verdict: "starting", waking: false, failed: false },
    { name: "at zero: nothing is waited for", d: serving(0), routable: 0, verdict: undefined, waking: false, failed: false },
    { name: "a starting deployment: its health step judges it", d: { role: "starting", desired: 1 }, routable: 0, verdict: undefined, waking: false, failed: false },
    { name: "standby", d: { role: "standby", desired: 1 }, routable: 0, verdict: undefined, waking: false, failed: false },
  ];
  for (const r of rows) {
    assert.equal(waking(r.d, r.routable), r.waking, `waking: ${r.name}`);
    assert.equal(failedStart(r.d, r.routable, r.verdict), r.failed, `failedStart: ${r.name}`);
  }
});

test("startBackoffMs and StartFailures: 1 s, 2 s, 4 s ... 60 s, back to 1 s once a task serves", () => {
  assert.deepEqual([1, 2, 3, 4, 7, 8, 100].map(startBackoffMs), [1000, 2000, 4000, 8000, MAX_START_BACKOFF_MS, MAX_START_BACKOFF_MS, MAX_START_BACKOFF_MS]);
  const f = new StartFailures();
  assert.deepEqual([f.failed("d1"), f.failed("d1"), f.failed("d2"), f.failed("d1")], [1000, 2000, 1000, 4000]);
  f.serving("d1");
  assert.equal(f.failed("d1"), 1000);
});

test("watchFast: only while a wake from zero still waits for its task, and never past WAKE_FAST_FOR_MS", () => {
  const wakes = new Map([
    ["served", 0],
    ["waiting", 0],
    ["old", -WAKE_FAST_FOR_MS],
  ]);
  const waitingIds = new Set(["waiting", "old"]);
  assert.equal(watchFast(wakes, 1_000, (id) => waitingIds.has(id)), true);
  assert.deepEqual([...wakes.keys()], ["waiting"], "the served wake and the one past its bound are forgotten");
  assert.equal(watchFast(wakes, WAKE_FAST_FOR_MS, () => true), false, "a task that cannot be placed is no longer watched fast");
  assert.equal(wakes.size, 0);
  assert.equal(watchFast(new Map(), 0, () => true), false);
});
