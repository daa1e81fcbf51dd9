import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ManualClock } from "../../../util/clock.js";
import { LogStore } from "./log-store.js";
import { sweep } from "./sweeper.js";

const DAY = 86_400_000;

describe("LogStore", () => {
  let dir: string;
  let clock: ManualClock;
  let store: LogStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "openrunner-logstore-"));
    clock = new ManualClock(Date.UTC(2026, 0, 10));
    // A long delay and 100 lines: only thresholds and reads flush in these tests.
    store = LogStore.open(join(dir, "logs.db"), clock, { maxBatchLines: 100, flushDelayMs: 60_000 });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = (): number => store.db.prepare(`SELECT count(*) FROM log_events`).pluck().get() as number;

  it("is auto_vacuum=INCREMENTAL in WAL mode", () => {
    assert.equal(store.db.pragma("auto_vacuum", { simple: true }), 2);
    assert.equal(store.db.pragma("journal_mode", { simple: true }), "wal");
  });

  it("buffers appends, writes at the line threshold, and every read sees what was appended", () => {
    store.append("g", "s", [{ timestamp: 1, message: "one" }]);
    assert.equal(count(), 0, "still buffered");
    const g = store.catalog.group("g");
    assert.ok(g, "a read flushes first");
    assert.equal(count(), 1);
    store.append("g", "s", Array.from({ length: 100 }, (_, i) => ({ timestamp: 10 + i, message: `m${i}` })));
    assert.equal(count(), 101, "100 buffered lines flush without a read");
  });

  it("writes buffered lines on its timer, and on close", async () => {
    const quick = LogStore.open(join(dir, "quick.db"), clock, { flushDelayMs: 5 });
    quick.append("g", "s", [{ timestamp: 1, message: "timer" }]);
    const rows = (): number => quick.db.prepare(`SELECT count(*) FROM log_events`).pluck().get() as number;
    for (const until = Date.now() + 5000; rows() === 0; await new Promise((r) => setTimeout(r, 5))) {
      assert.ok(Date.now() < until, "the timer flushed");
    }
    quick.append("g", "s", [{ timestamp: 2, message: "closing" }]);
    quick.close();
    const reopened = LogStore.open(join(dir, "quick.db"), clock);
    assert.equal(reopened.catalog.group("g")?.storedBytes, "timer".length + "closing".length);
    reopened.close();
  });

  it("creates groups and streams on first write and keeps their statistics", () => {
    const t0 = clock.now();
    store.append("/aws/apprunner/a/1/service", "events", [
      { timestamp: 500, message: "héllo" },
      { timestamp: 100, message: "x" },
    ]);
    clock.advance(5);
    store.append("/aws/apprunner/a/1/service", "events", [{ timestamp: 900, message: "yy" }]);
    const g = store.catalog.group("/aws/apprunner/a/1/service");
    assert.deepEqual(g && { ...g, id: 0 }, { id: 0, name: "/aws/apprunner/a/1/service", createdAt: t0, retentionDays: null, storedBytes: 6 + 1 + 2 });
    const s = store.catalog.stream(g?.id ?? 0, "events");
    assert.equal(s?.firstEventTime, 100);
    assert.equal(s?.lastEventTime, 900);
    assert.equal(s?.lastIngestionTime, t0 + 5);
    assert.equal(s?.storedBytes, 9);
  });

  it("pages a stream forward and backward in (timestamp, id) order", () => {
    store.append("g", "s", [3, 1, 2, 2, 5].map((t, i) => ({ timestamp: t, message: `e${i}` })));
    const streamId = store.catalog.stream(store.catalog.group("g")?.id ?? 0, "s")?.id ?? 0;
    const page = (direction: "forward" | "backward", from?: { t: number; i: number }, limit = 2): string[] =>
      store.events.streamPage({ streamId, start: 0, endExclusive: 100, direction, from, limit }).map((e) => e.message);
    assert.deepEqual(page("forward"), ["e1", "e2"]);
    assert.deepEqual(page("backward"), ["e0", "e4"]);
    const all = store.events.streamPage({ streamId, start: 0, endExclusive: 100, direction: "forward", limit: 10 });
    const second = all[1];
    assert.ok(second);
    assert.deepEqual(page("forward", { t: second.timestamp, i: second.id }, 10), ["e3", "e0", "e4"]);
    const fourth = all[3];
    assert.ok(fourth);
    assert.deepEqual(page("backward", { t: fourth.timestamp, i: fourth.id }, 10), ["e1", "e2", "e3"]);
    assert.deepEqual(
      store.events.streamPage({ streamId, start: 2, endExclusive: 3, direction: "forward", limit: 10 }).map((e) => e.message),
      ["e2", "e3"],
    );
  });

  it("scans a group across streams with stream scopes and text pre-selection", () => {
    store.append("g", "app/1", [{ timestamp: 1, message: "ERROR a" }, { timestamp: 4, message: "ok" }]);
    store.append("g", "app/2", [{ timestamp: 2, message: "ERROR b" }]);
    store.append("g", "other", [{ timestamp: 3, message: "WARN c" }]);
    const groupId = store.catalog.group("g")?.id ?? 0;
    const scan = (scope: Parameters<typeof store.events.scanWindow>[0]["scope"], requiredText: string[][] = []): string[] =>
      [...store.events.scanWindow({ groupId, scope, start: 0, endExclusive: 10, requiredText, window: 100 }).rows].map((e) => e.message);
    assert.deepEqual(scan({ kind: "all" }), ["ERROR a", "ERROR b", "WARN c", "ok"]);
    assert.deepEqual(scan({ kind: "prefix", prefix: "app/" }), ["ERROR a", "ERROR b", "ok"]);
    assert.deepEqual(scan({ kind: "names", names: ["other", "missing"] }), ["WARN c"]);
    assert.deepEqual(scan({ kind: "all" }, [["ERROR", "WARN"], ["a", "c"]]), ["ERROR a", "WARN c"]);
    // A window of 2 events ends at the second, whether or not it is a candidate.
    const w = store.events.scanWindow({ groupId, scope: { kind: "all" }, start: 0, endExclusive: 10, requiredText: [["WARN"]], window: 2 });
    assert.deepEqual([...w.rows], []);
    assert.equal(w.end?.t, 2);
    const rest = store.events.scanWindow({ groupId, scope: { kind: "all" }, start: 0, endExclusive: 10, requiredText: [["WARN"]], window: 2, after: w.end });
    assert.deepEqual([...rest.rows].map((e) => e.message), ["WARN c"]);
    assert.equal(rest.end?.t, 4, "a full window: more may follow");
  });

  it("deletes a group at once and its events in the next sweep", async () => {
    store.append("g", "s", Array.from({ length: 30 }, (_, i) => ({ timestamp: i, message: "m" })));
    store.append("keep", "s", [{ timestamp: 1, message: "k" }]);
    const g = store.catalog.group("g");
    assert.ok(g);
    store.deleteGroup(g);
    assert.equal(store.catalog.group("g"), undefined);
    const r = await sweep(store.db, clock.now(), { batchSize: 7 });
    assert.equal(r.deletedEvents, 30);
    assert.equal(r.purgesCompleted, 1);
    assert.equal(count(), 1);
    // A group of the same name starts empty.
    store.append("g", "s", [{ timestamp: 99, message: "new" }]);
    assert.equal(store.catalog.group("g")?.storedBytes, 3);
  });

  it("expires events older than the retention, updates stored bytes and returns pages to the file system", async () => {
    const now = clock.now();
    const big = "x".repeat(1000);
    store.append("g", "old", Array.from({ length: 400 }, (_, i) => ({ timestamp: now - 10 * DAY + i, message: big })));
    store.append("g", "new", Array.from({ length: 50 }, (_, i) => ({ timestamp: now - DAY + i, message: big })));
    store.append("forever", "s", [{ timestamp: 0, message: "ancient" }]);
    const g = store.catalog.group("g");
    assert.ok(g);
    store.setRetention(g, 7);
    const pagesBefore = store.db.pragma("page_count", { simple: true }) as number;
    const r = await sweep(store.db, now, { batchSize: 64 });
    assert.equal(r.deletedEvents, 400);
    assert.equal(store.catalog.group("g")?.storedBytes, 50 * 1000);
    assert.equal(store.catalog.stream(g.id, "old")?.storedBytes, 0);
    assert.equal(store.catalog.stream(g.id, "new")?.firstEventTime, now - DAY);
    assert.equal(store.db.pragma("freelist_count", { simple: true }), 0);
    assert.ok((store.db.pragma("page_count", { simple: true }) as number) < pagesBefore / 2, "the file shrank");
    assert.equal(count(), 51, "the group without a policy keeps everything");
    assert.equal((await sweep(store.db, now)).deletedEvents, 0);
  });
});
