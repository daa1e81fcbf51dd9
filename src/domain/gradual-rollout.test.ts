import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { checkGradualRolloutTag, DEFAULT_ROLLOUT, GRADUAL_ROLLOUT_TAG, parseRolloutSettings, rolloutSettingsOf, type RolloutSettings } from "./gradual-rollout.js";
import { decideRollout, type RolloutDecision, type VersionMeasure } from "./gradual-rollout-decision.js";

describe("the openrunner:gradual-rollout tag", () => {
  const table: [string, Partial<RolloutSettings> | undefined | RegExp][] = [
    ["true", {}],
    ["ON", {}],
    ["false", undefined],
    ["off", undefined],
    ["steps=5/25/75", { steps: [5, 25, 75] }],
    ["steps=10 interval=2m", { steps: [10], intervalMs: 120_000, windowMs: 60_000 }],
    ["interval=30s", { intervalMs: 30_000, windowMs: 30_000 }],
    ["interval=1m window=5m", { windowMs: 60_000 }],
    ["max-5xx=0.5 max-p99=750ms min-requests=100", { max5xxPercent: 0.5, maxP99Ms: 750, minRequests: 100 }],
    ["max-p99=2", { maxP99Ms: 2 }],
    ["steps=50/10", /steps must be increasing percentages from 1 to 99/],
    ["steps=0/50", /steps must be increasing/],
    ["steps=10/100", /steps must be increasing/],
    ["interval=5s", /interval must be a duration between 10 s and 1 h/],
    ["interval=2h", /interval must be a duration between/],
    ["max-5xx=101", /max-5xx must be a percentage from 0 to 100/],
    ["max-p99=3m", /max-p99 must be a duration between/],
    ["min-requests=0", /min-requests must be a whole number from 1 to 10000/],
    ["canary=10", /has no setting "canary"/],
  ];
  for (const [value, want] of table) {
    it(`${JSON.stringify(value)}`, () => {
      const got = parseRolloutSettings(value);
      if (want instanceof RegExp) {
        assert.ok(got && "problem" in got, `expected a problem, got ${JSON.stringify(got)}`);
        assert.match(got.problem, want);
      } else if (want === undefined) assert.equal(got, undefined);
      else assert.deepEqual(got, { ...DEFAULT_ROLLOUT, ...want });
    });
  }

  it("accepts shorter intervals when the bounds say so (tests)", () => {
    const got = parseRolloutSettings("interval=2s window=2s", { minIntervalMs: 1000 });
    assert.ok(got && !("problem" in got));
    assert.equal(got.intervalMs, 2000);
  });

  it("refuses a bad value with InvalidRequest naming the tag, the setting and its bounds", () => {
    assert.throws(
      () => checkGradualRolloutTag([{ Key: GRADUAL_ROLLOUT_TAG, Value: "max-5xx=200" }]),
      (err: unknown) => err instanceof AppRunnerError && err.code === "InvalidRequest" && /openrunner:gradual-rollout: max-5xx must be a percentage from 0 to 100/.test(err.message),
    );
    checkGradualRolloutTag([{ Key: "other", Value: "max-5xx=200" }]);
  });

  it("reads a service's settings; an invalid stored value reads as off", () => {
    assert.deepEqual(rolloutSettingsOf([{ Key: GRADUAL_ROLLOUT_TAG, Value: "steps=20" }])?.steps, [20]);
    assert.equal(rolloutSettingsOf([{ Key: GRADUAL_ROLLOUT_TAG, Value: "steps=soon" }]), undefined);
    assert.equal(rolloutSettingsOf([]), undefined);
  });
});

describe("decideRollout", () => {
  const s: RolloutSettings = { ...DEFAULT_ROLLOUT, steps: [10, 50], intervalMs: 60_000, max5xxPercent: 1, maxP99Ms: 2000, minRequests: 20 };
  const T = 1_000_000;
  const ok: VersionMeasure = { requests: 100, errors5xx: 0, p99Ms: 40 };
  const table: [string, number, number, VersionMeasure, RolloutDecision["action"], RegExp?][] = [
    ["within the interval, healthy: wait", 0, T + 59_999, ok, "wait"],
    ["interval over: the next step", 0, T + 60_000, ok, "step"],
    ["after the last step: promote", 1, T + 60_000, ok, "promote"],
    ["5xx above the threshold: abort", 0, T + 1000, { requests: 100, errors5xx: 2 }, "abort", /2% of the new deployment's 100 responses were 5xx, above max-5xx 1%/],
    ["5xx at the threshold: no abort", 0, T + 1000, { requests: 100, errors5xx: 1 }, "wait"],
    ["p99 above the threshold: abort", 0, T + 1000, { requests: 50, errors5xx: 0, p99Ms: 2500 }, "abort", /p99 latency was 2500 ms over 50 responses, above max-p99 2000 ms/],
    ["too few responses: no abort", 0, T + 1000, { requests: 19, errors5xx: 19, p99Ms: 9999 }, "wait"],
    ["too few responses at the interval's end: the next step", 0, T + 60_000, { requests: 0, errors5xx: 0 }, "step"],
    ["a threshold crossed at the end still aborts", 1, T + 60_000, { requests: 20, errors5xx: 20 }, "abort"],
  ];
  for (const [name, step, now, m, action, reason] of table) {
    it(name, () => {
      const d = decideRollout(s, { step, stepStartedAt: T }, m, now);
      assert.equal(d.action, action);
      if (d.action === "step") assert.deepEqual(d, { action: "step", step: step + 1, percent: s.steps[step + 1] });
      if (reason && d.action === "abort") assert.match(d.reason, reason);
    });
  }
});
