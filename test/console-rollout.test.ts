import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { durationLabel, millisLabel } from "../console/src/api/durations.js";
import { ALL_AT_ONCE, errorRate, overThresholds, rolloutLabel } from "../console/src/api/gradual-rollout.js";
import { idlePeriodLabel } from "../console/src/api/scale-to-zero.js";
import type { RolloutWire } from "../src/api/openrunner/describe-rollout.js";

const SETTINGS: RolloutWire["Settings"] = { Steps: [10, 50], IntervalSeconds: 60, Max5xxPercent: 1, MaxP99Millis: 2000, WindowSeconds: 60, MinRequests: 20 };

/** The console's pure decisions about gradual rollouts (console/src/api/gradual-rollout.ts, durations.ts). */
describe("console: gradual rollout", () => {
  it("says a tag value as the overview shows it, with the server's defaults for what it leaves out", () => {
    const table: [string | undefined, string][] = [
      [undefined, ALL_AT_ONCE],
      ["false", ALL_AT_ONCE],
      [" Off ", ALL_AT_ONCE],
      ["true", "Gradual rollout: 10% → 50% → 100% of new clients, 1 min a step; goes back above 1% 5xx or a p99 above 2 s"],
      ["on", "Gradual rollout: 10% → 50% → 100% of new clients, 1 min a step; goes back above 1% 5xx or a p99 above 2 s"],
      ["steps=5/25/50 interval=2m max-5xx=0.5 max-p99=800ms", "Gradual rollout: 5% → 25% → 50% → 100% of new clients, 2 min a step; goes back above 0.5% 5xx or a p99 above 800 ms"],
      ["steps=10 interval=15s window=15s min-requests=5", "Gradual rollout: 10% → 100% of new clients, 15 s a step; goes back above 1% 5xx or a p99 above 2 s"],
      ["interval=30 max-p99=750", "Gradual rollout: 10% → 50% → 100% of new clients, 30 s a step; goes back above 1% 5xx or a p99 above 750 ms"],
      ["INTERVAL=1H", "Gradual rollout: 10% → 50% → 100% of new clients, 1 h a step; goes back above 1% 5xx or a p99 above 2 s"],
    ];
    for (const [value, label] of table) assert.equal(rolloutLabel(value), label, String(value));
  });

  it("says durations as tags write them and as the API sends them", () => {
    assert.equal(durationLabel("15m", "s"), "15 min");
    assert.equal(durationLabel("90", "s"), "90 s");
    assert.equal(durationLabel("750", "ms"), "750 ms");
    assert.equal(durationLabel("1.5s", "ms"), "1.5 s");
    assert.equal(durationLabel("soon", "s"), undefined);
    const ms: [number, string][] = [
      [800, "800 ms"],
      [2000, "2 s"],
      [1500, "1.5 s"],
      [15_000, "15 s"],
      [60_000, "1 min"],
      [90_000, "90 s"],
      [3_600_000, "1 h"],
    ];
    for (const [n, label] of ms) assert.equal(millisLabel(n), label, String(n));
    // Scale to zero's label is unchanged by the shared parser.
    assert.equal(idlePeriodLabel("true"), "15 min");
    assert.equal(idlePeriodLabel("90s"), "90 s");
    assert.equal(idlePeriodLabel("2h"), "2 h");
    assert.equal(idlePeriodLabel("off"), undefined);
  });

  it("marks a step over a threshold only once its window holds min-requests responses, as the abort does", () => {
    const step = (Requests: number, Errors5xx: number, P99Millis?: number): RolloutWire["Steps"][number] => ({ Percent: 10, StartedAt: 0, Requests, Errors5xx, ...(P99Millis !== undefined ? { P99Millis } : {}) });
    assert.equal(errorRate(step(0, 0)), undefined);
    assert.equal(errorRate(step(40, 5)), 12.5);
    const table: [RolloutWire["Steps"][number], { errors: boolean; p99: boolean }][] = [
      [step(0, 0), { errors: false, p99: false }],
      [step(19, 19, 5000), { errors: false, p99: false }],
      [step(20, 1, 2000), { errors: true, p99: false }],
      [step(100, 1, 2001), { errors: false, p99: true }],
      [step(40, 5, 9000), { errors: true, p99: true }],
      [step(40, 0), { errors: false, p99: false }],
    ];
    for (const [s, want] of table) assert.deepEqual(overThresholds(s, SETTINGS), want, JSON.stringify(s));
  });
});
