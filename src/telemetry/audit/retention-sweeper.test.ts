import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { ManualTimers } from "../../util/manual-timers.js";
import type { TrailEntry } from "./cloudtrail-event.js";
import { RetentionSweeper } from "./retention-sweeper.js";
import { TrailStore } from "./trail-store.js";

const DAY = 24 * 60 * 60 * 1000;

const entry = (n: number, time: number): TrailEntry => ({
  eventId: `id-${n}`,
  eventTime: time,
  eventName: "ListServices",
  eventSource: "apprunner.amazonaws.com",
  readOnly: true,
  username: "root",
  accessKeyId: "AKIA",
  resources: [],
  event: "{}",
});

describe("the retention sweep", () => {
  it("deletes, batch by batch, exactly the events past retention", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trail-sweep-"));
    const store = TrailStore.open(join(dir, "trail.db"));
    try {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const now = clock.now();
      // 25 events 10 days old, 3 from yesterday.
      const old = Array.from({ length: 25 }, (_, i) => entry(i, now - 10 * DAY + i));
      store.append([...old, ...[0, 1, 2].map((i) => entry(100 + i, now - DAY + i))]);
      const logs: string[] = [];
      const sweeper = new RetentionSweeper({ store, clock, retentionDays: 7, logger: (m) => logs.push(m), batch: 10 });
      assert.equal(await sweeper.sweep(), 25);
      assert.equal(store.lookup({ start: 0, end: now, limit: 100 }).length, 3);
      assert.equal(await sweeper.sweep(), 0, "nothing more until time passes");
      clock.advance(7 * DAY);
      assert.equal(await sweeper.sweep(), 3);
      assert.equal(logs.length, 2);
      await sweeper.stop();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("logs a failing store instead of throwing", async () => {
    const failing = { deleteExpired: () => { throw new Error("database is locked"); }, reclaim: () => undefined } as unknown as TrailStore;
    const logs: string[] = [];
    const sweeper = new RetentionSweeper({ store: failing, clock: new ManualClock(), retentionDays: 1, logger: (m) => logs.push(m) });
    assert.equal(await sweeper.sweep(), 0);
    assert.match(logs.join(), /sweep failed/);
  });

  it("sweeps through its timer a second after start, then every interval, including after a sweep with nothing to delete", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trail-sweep-"));
    const store = TrailStore.open(join(dir, "trail.db"));
    const timers = new ManualTimers();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sweeper = new RetentionSweeper({ store, clock, retentionDays: 7, logger: () => undefined, everyMs: 60_000, timers });
    try {
      sweeper.start();
      await timers.advance(1000);
      await timers.advance(60_000);
      store.append([entry(1, clock.now() - 10 * DAY)]);
      assert.equal(store.lookup({ start: 0, end: clock.now(), limit: 10 }).length, 1);
      await timers.advance(60_000);
      assert.equal(store.lookup({ start: 0, end: clock.now(), limit: 10 }).length, 0, "the third sweep deleted it");
    } finally {
      await sweeper.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
