import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../util/clock.js";
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
});
