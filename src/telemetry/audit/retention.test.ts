import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { DEFAULT_RETENTION_DAYS, isExpired, retentionDaysFrom } from "./retention.js";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

describe("audit retention", () => {
  const expiry: [label: string, eventTime: number, days: number, expired: boolean][] = [
    ["just now", NOW, 90, false],
    ["in the future (clock moved back)", NOW + DAY, 90, false],
    ["89 days ago", NOW - 89 * DAY, 90, false],
    ["exactly 90 days ago", NOW - 90 * DAY, 90, false],
    ["90 days and 1 ms ago", NOW - 90 * DAY - 1, 90, true],
    ["a year ago", NOW - 365 * DAY, 90, true],
    ["2 days ago, 1-day retention", NOW - 2 * DAY, 1, true],
    ["12 hours ago, 1-day retention", NOW - DAY / 2, 1, false],
    ["a year ago, 400-day retention", NOW - 365 * DAY, 400, false],
  ];
  for (const [label, time, days, expired] of expiry) {
    it(`${label} → ${expired ? "expired" : "kept"}`, () => assert.equal(isExpired(time, new ManualClock(NOW), days), expired));
  }

  it("moves with the clock", () => {
    const clock = new ManualClock(NOW);
    const event = NOW - 89 * DAY;
    assert.equal(isExpired(event, clock, 90), false);
    clock.advance(DAY + 1);
    assert.equal(isExpired(event, clock, 90), true);
  });

  const settings: [option: number | undefined, env: string | undefined, days: number, warns: boolean][] = [
    [undefined, undefined, DEFAULT_RETENTION_DAYS, false],
    [undefined, "", DEFAULT_RETENTION_DAYS, false],
    [undefined, "30", 30, false],
    [undefined, " 7 ", 7, false],
    [undefined, "0", DEFAULT_RETENTION_DAYS, true],
    [undefined, "-5", DEFAULT_RETENTION_DAYS, true],
    [undefined, "1.5", DEFAULT_RETENTION_DAYS, true],
    [undefined, "ninety", DEFAULT_RETENTION_DAYS, true],
    [undefined, "99999999999999999999", DEFAULT_RETENTION_DAYS, true],
    [14, "30", 14, false],
    [0, "30", DEFAULT_RETENTION_DAYS, true],
    [2.5, undefined, DEFAULT_RETENTION_DAYS, true],
  ];
  for (const [option, env, days, warns] of settings) {
    it(`option ${String(option)}, env ${JSON.stringify(env)} → ${days} days${warns ? " with a warning" : ""}`, () => {
      const got = retentionDaysFrom(option, env);
      assert.equal(got.days, days);
      assert.equal(got.warning !== undefined, warns);
    });
  }
});
