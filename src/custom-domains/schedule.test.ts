import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_TIMINGS, IDLE_WAKE_MS, inWords, nextCheckDelay, renewAfter, retryDelay, validationTimedOut, wakeDelay } from "./schedule.js";

const t = DEFAULT_TIMINGS;

describe("custom-domain schedule", () => {
  it("backs DNS checks off from 1 s doubling to 5 min", () => {
    const cases: [number, number][] = [
      [0, 1_000],
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [9, 256_000],
      [10, 300_000],
      [1_000, 300_000],
    ];
    for (const [checks, ms] of cases) assert.equal(nextCheckDelay(t, checks), ms, `after ${checks} checks`);
  });

  it("retries failed orders and renewals from 5 s doubling to 1 h", () => {
    const cases: [number, number][] = [
      [1, 5_000],
      [2, 10_000],
      [5, 80_000],
      [10, 2_560_000],
      [11, 3_600_000],
      [10_000, 3_600_000],
    ];
    for (const [failures, ms] of cases) assert.equal(retryDelay(t, failures), ms, `after ${failures} failures`);
  });

  it("gives up validation after 72 hours of waiting, not before", () => {
    const h = 3_600_000;
    const cases: [number, number, boolean][] = [
      [0, 0, false],
      [0, 72 * h - 1, false],
      [0, 72 * h, true],
      [10 * h, 81 * h, false],
      [10 * h, 83 * h, true],
    ];
    for (const [since, now, out] of cases) assert.equal(validationTimedOut(t, since, now), out, `${since} -> ${now}`);
  });

  it("renews after two thirds of the lifetime", () => {
    const day = 86_400_000;
    const cases: [number, number, number][] = [
      [0, 90 * day, 60 * day],
      [1_000, 1_000 + 90_000, 61_000],
      [5 * day, 11 * day, 9 * day],
    ];
    for (const [notBefore, notAfter, at] of cases) assert.equal(renewAfter(t, notBefore, notAfter), at, `${notBefore}..${notAfter}`);
    assert.equal(renewAfter({ ...t, renewAtFraction: 0.5 }, 0, 100), 50);
  });

  it("wakes at the soonest wanted time, at least every minute, never in the past", () => {
    const now = 1_000_000;
    const cases: [(number | undefined)[], number][] = [
      [[], IDLE_WAKE_MS],
      [[undefined], IDLE_WAKE_MS],
      [[now + 5_000, now + 2_000], 2_000],
      [[now - 10], 0],
      [[now + 10 * IDLE_WAKE_MS], IDLE_WAKE_MS],
      [[undefined, now + 500], 500],
    ];
    for (const [ats, ms] of cases) assert.equal(wakeDelay(ats, now), ms, JSON.stringify(ats));
  });

  it("says back-offs in words", () => {
    const cases: [number, string][] = [
      [200, "1 s"],
      [5_000, "5 s"],
      [120_000, "2 min"],
      [3_600_000, "1 h"],
    ];
    for (const [ms, words] of cases) assert.equal(inWords(ms), words);
  });
});
