import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { ManualTimers } from "../../util/manual-timers.js";
import { counterMerge } from "./recording.js";
import { RETENTION_MS, RetentionSweeper, retentionCutoff } from "./retention.js";
import { MetricsStore } from "./store/metrics-store.js";

const NOW = Date.UTC(2026, 0, 20, 12, 0, 30);
const NOW_MINUTE = Math.floor(NOW / 60_000);
const DAY_MINUTES = 24 * 60;

describe("metrics retention", () => {
  it("deletes only minutes wholly older than 15 days", () => {
    const edge = Math.floor((NOW - RETENTION_MS) / 60_000);
    const cases: [string, number | undefined, number | undefined][] = [
      ["nothing stored", undefined, undefined],
      ["all recent", NOW_MINUTE - 10, undefined],
      ["oldest is the minute the window starts in", edge, undefined],
      ["oldest is one minute older", edge - 1, edge],
      ["16 days old", NOW_MINUTE - 16 * DAY_MINUTES, edge],
    ];
    for (const [name, oldest, want] of cases) assert.equal(retentionCutoff(NOW, oldest), want, name);
    assert.equal(retentionCutoff(NOW, NOW_MINUTE - 2, 60_000), NOW_MINUTE - 1, "a custom retention");
  });

  it("sweeps old minutes and forgets metrics with nothing newer", () => {
    const store = MetricsStore.open(":memory:");
    const svc = { serviceName: "web", serviceId: "a".repeat(32), instance: "" };
    store.record(svc, NOW_MINUTE - 20 * DAY_MINUTES, [{ metric: "Requests", merge: counterMerge(1) }, { metric: "5xxStatusResponses", merge: counterMerge(1) }]);
    store.record(svc, NOW_MINUTE - 1, [{ metric: "Requests", merge: counterMerge(2) }]);
    const sweeper = new RetentionSweeper(store, new ManualClock(NOW), () => undefined);
    assert.equal(sweeper.sweep(), 2);
    assert.equal(sweeper.sweep(), 0, "a second sweep finds nothing");
    assert.deepEqual(store.listMetrics(0).map((m) => m.metric), ["Requests"]);
    assert.equal(store.oldestMinute(), NOW_MINUTE - 1);
    store.close();
  });

  it("sweeps at start and then on its timer, failures logged and the schedule kept", async () => {
    const store = MetricsStore.open(":memory:");
    const svc = { serviceName: "web", serviceId: "a".repeat(32), instance: "" };
    const clock = new ManualClock(NOW);
    const timers = new ManualTimers();
    const logs: string[] = [];
    let failNext = false;
    const failing = Object.assign(Object.create(store) as MetricsStore, {
      oldestMinute: () => {
        if (failNext) {
          failNext = false;
          throw new Error("database is locked");
        }
        return store.oldestMinute();
      },
    });
    const sweeper = new RetentionSweeper(failing, clock, (m) => logs.push(m), RETENTION_MS, { everyMs: 60_000, timers });
    sweeper.start();
    await timers.advance(0);
    failNext = true;
    await timers.advance(60_000);
    assert.deepEqual(logs, ["metrics retention sweep failed"]);
    store.record(svc, NOW_MINUTE - 20 * DAY_MINUTES, [{ metric: "Requests", merge: counterMerge(1) }]);
    await timers.advance(60_000);
    assert.equal(store.oldestMinute(), undefined, "the sweep after a failed one deleted the old minute");
    await sweeper.stop();
    store.close();
  });
});
