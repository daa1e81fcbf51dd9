import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../util/clock.js";
import { DAY_MS, dayOf, deletionDateOf, isGone, isScheduledForDeletion } from "./deletion.js";

describe("DeleteSecret's recovery window", () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 12, 30));
  const now = clock.now();
  const TABLE: [string, { RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }, number | string][] = [
    ["30 days by default", {}, now + 30 * DAY_MS],
    ["7 days, the least", { RecoveryWindowInDays: 7 }, now + 7 * DAY_MS],
    ["30 days, the most", { RecoveryWindowInDays: 30 }, now + 30 * DAY_MS],
    ["forced: now", { ForceDeleteWithoutRecovery: true }, now],
    ["ForceDeleteWithoutRecovery false is the default window", { ForceDeleteWithoutRecovery: false }, now + 30 * DAY_MS],
    ["6 days is refused", { RecoveryWindowInDays: 6 }, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."],
    ["31 days is refused", { RecoveryWindowInDays: 31 }, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."],
    ["both is refused", { RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."],
  ];
  for (const [name, input, expected] of TABLE) {
    it(name, () => {
      if (typeof expected === "number") assert.equal(deletionDateOf(now, input), expected);
      else assert.throws(() => deletionDateOf(now, input), { code: "InvalidParameter", message: expected });
    });
  }

  it("a secret is scheduled until its deletion date, then gone", () => {
    const clock2 = new ManualClock(now);
    const secret = { deletionDate: deletionDateOf(now, { RecoveryWindowInDays: 7 }) };
    const states = (): [boolean, boolean] => [isScheduledForDeletion(secret, clock2.now()), isGone(secret, clock2.now())];
    assert.deepEqual(states(), [true, false]);
    clock2.advance(7 * DAY_MS - 1);
    assert.deepEqual(states(), [true, false]);
    clock2.advance(1);
    assert.deepEqual(states(), [false, true]);
    assert.deepEqual([isScheduledForDeletion({ deletionDate: undefined }, now), isGone({ deletionDate: undefined }, now)], [false, false]);
  });

  it("the last access is kept as its day", () => {
    assert.equal(dayOf(now), Date.UTC(2026, 11, 5));
  });
});
