import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { moveStages, stagesByVersion, versionsToDrop } from "./stages.js";

const m = (pairs: Record<string, string>): Map<string, string> => new Map(Object.entries(pairs));

describe("staging labels moving to a new version", () => {
  const TABLE: [string, Record<string, string>, string, string[], Record<string, string>][] = [
    ["the first version becomes current", {}, "v1", ["AWSCURRENT"], { AWSCURRENT: "v1" }],
    ["a rotation: the old current becomes previous", { AWSCURRENT: "v1" }, "v2", ["AWSCURRENT"], { AWSCURRENT: "v2", AWSPREVIOUS: "v1" }],
    ["the previous one before that loses its label", { AWSCURRENT: "v2", AWSPREVIOUS: "v1" }, "v3", ["AWSCURRENT"], { AWSCURRENT: "v3", AWSPREVIOUS: "v2" }],
    ["AWSPENDING leaves current where it is", { AWSCURRENT: "v1" }, "v2", ["AWSPENDING"], { AWSCURRENT: "v1", AWSPENDING: "v2" }],
    ["pending promoted: current moves, pending stays on it", { AWSCURRENT: "v1", AWSPENDING: "v2" }, "v2", ["AWSCURRENT"], { AWSCURRENT: "v2", AWSPENDING: "v2", AWSPREVIOUS: "v1" }],
    ["the current version asked again moves nothing", { AWSCURRENT: "v1", AWSPREVIOUS: "v0" }, "v1", ["AWSCURRENT"], { AWSCURRENT: "v1", AWSPREVIOUS: "v0" }],
    ["a custom label moves alone", { AWSCURRENT: "v1", blue: "v1" }, "v2", ["blue"], { AWSCURRENT: "v1", blue: "v2" }],
    ["no label: a deprecated version", { AWSCURRENT: "v1" }, "v2", [], { AWSCURRENT: "v1" }],
  ];
  for (const [name, before, versionId, labels, after] of TABLE) {
    it(name, () => assert.deepEqual(Object.fromEntries(moveStages(m(before), versionId, labels)), after));
  }
  it("VersionIdsToStages lists each version's labels in order", () => {
    assert.deepEqual(stagesByVersion(m({ AWSPREVIOUS: "v1", AWSCURRENT: "v2", AWSPENDING: "v2" })), { v2: ["AWSCURRENT", "AWSPENDING"], v1: ["AWSPREVIOUS"] });
  });
});

describe("deprecated versions beyond the limit", () => {
  const TABLE: [string, string[], Record<string, string>, number, string[]][] = [
    ["under the limit: none", ["v3", "v2", "v1"], { AWSCURRENT: "v3" }, 3, []],
    ["the oldest unlabeled go first", ["v4", "v3", "v2", "v1"], { AWSCURRENT: "v4", AWSPREVIOUS: "v3" }, 3, ["v1"]],
    ["a labeled old version stays", ["v4", "v3", "v2", "v1"], { AWSCURRENT: "v4", blue: "v1" }, 2, ["v2", "v3"]],
    ["labels alone may exceed it", ["v2", "v1"], { AWSCURRENT: "v2", AWSPREVIOUS: "v1" }, 1, []],
  ];
  for (const [name, newestFirst, stages, keep, dropped] of TABLE) it(name, () => assert.deepEqual(versionsToDrop(newestFirst, m(stages), keep), dropped));
});
