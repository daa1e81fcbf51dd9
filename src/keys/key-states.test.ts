import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KeyState } from "./key-service.js";
import { deletionDate, nextState, usability, type KeyChange } from "./key-states.js";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("KMS's key states", () => {
  const cases: [from: KeyState, change: KeyChange, to: KeyState | string][] = [
    ["Enabled", "enable", "Enabled"],
    ["Disabled", "enable", "Enabled"],
    ["PendingDeletion", "enable", "refused: pendingDeletion"],
    ["Enabled", "disable", "Disabled"],
    ["Disabled", "disable", "Disabled"],
    ["PendingDeletion", "disable", "refused: pendingDeletion"],
    ["Enabled", "scheduleDeletion", "PendingDeletion"],
    ["Disabled", "scheduleDeletion", "PendingDeletion"],
    ["PendingDeletion", "scheduleDeletion", "refused: pendingDeletion"],
    ["PendingDeletion", "cancelDeletion", "Disabled"],
    ["Enabled", "cancelDeletion", "refused: notPendingDeletion"],
    ["Disabled", "cancelDeletion", "refused: notPendingDeletion"],
  ];
  for (const [from, change, to] of cases) {
    it(`a customer key ${from} -> ${change}: ${to}`, () => {
      const next = nextState(from, "CUSTOMER", change);
      assert.equal("state" in next ? next.state : `refused: ${next.refused}`, to);
    });
  }
  for (const change of ["enable", "disable", "scheduleDeletion", "cancelDeletion"] as const) {
    it(`an AWS managed key refuses ${change}`, () => assert.deepEqual(nextState("Enabled", "AWS", change), { refused: "awsManaged" }));
  }

  it("only an Enabled key encrypts or decrypts", () => {
    assert.deepEqual((["Enabled", "Disabled", "PendingDeletion"] as const).map(usability), ["usable", "disabled", "pendingDeletion"]);
  });

  it("the deletion window is 7 to 30 whole days", () => {
    const now = Date.UTC(2026, 0, 1);
    assert.deepEqual([6, 7, 30, 31, 7.5].map((d) => deletionDate(now, d)), [undefined, now + 7 * DAY_MS, now + 30 * DAY_MS, undefined, undefined]);
  });
});
