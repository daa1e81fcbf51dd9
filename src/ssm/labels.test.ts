import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidLabel, planLabels, planUnlabel, versionToDrop } from "./labels.js";

describe("labels and versions", () => {
  const labels: [label: string, valid: boolean][] = [
    ["prod", true],
    ["Release_1.2-b", true],
    ["1st", false],
    ["aws-x", false],
    ["SSMy", false],
    ["has space", false],
    ["a:b", false],
    ["x".repeat(100), true],
    ["x".repeat(101), false],
    ["", false],
  ];
  for (const [label, valid] of labels) it(`label ${label.slice(0, 20) || "(empty)"} is ${valid ? "valid" : "invalid"}`, () => assert.equal(isValidLabel(label), valid));

  it("planLabels attaches the valid ones (moving them), lists the invalid ones, refuses an 11th on a version", () => {
    const current = new Map([
      ["prod", 1],
      ["beta", 2],
    ]);
    assert.deepEqual(planLabels(current, 2, ["prod", "1bad", "prod"]), { attach: ["prod"], invalid: ["1bad"] });
    const full = new Map(Array.from({ length: 10 }, (_, i): [string, number] => [`l${i}`, 3]));
    assert.deepEqual(planLabels(full, 3, ["l0"]), { attach: ["l0"], invalid: [] }, "a label already there does not count twice");
    assert.throws(() => planLabels(full, 3, ["l10"]), { code: "ParameterVersionLabelLimitExceeded" });
    assert.deepEqual(planLabels(full, 4, ["l10"]).attach, ["l10"], "another version has room");
  });

  it("planUnlabel removes only the labels on that version", () => {
    const current = new Map([
      ["prod", 1],
      ["beta", 2],
    ]);
    assert.deepEqual(planUnlabel(current, 1, ["prod", "beta", "none"]), { remove: ["prod"], invalid: ["beta", "none"] });
  });

  it("versionToDrop: nothing under 100, the oldest at 100, ParameterMaxVersionLimitExceeded when it is labelled", () => {
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    assert.equal(versionToDrop("p", range(1, 99), new Set()), undefined);
    assert.equal(versionToDrop("p", range(1, 100), new Set([2])), 1);
    assert.equal(versionToDrop("p", range(7, 106), new Set()), 7);
    assert.throws(() => versionToDrop("p", range(1, 100), new Set([1])), { code: "ParameterMaxVersionLimitExceeded", message: /Version 1, the oldest version/ });
  });
});
