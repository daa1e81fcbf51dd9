import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expiredImages, type LifecycleImage } from "./decide.js";
import type { LifecycleRule, LifecycleSelection } from "./policy.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 0, 31);
const img = (digest: string, tags: string[], daysAgo: number): LifecycleImage => ({ digest, tags, pushedAt: new Date(NOW - daysAgo * DAY) });
const rule = (rulePriority: number, selection: LifecycleSelection): LifecycleRule => ({ rulePriority, selection, action: { type: "expire" } });

const untaggedOlderThan = (days: number): LifecycleSelection => ({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: days });
const keepAny = (n: number): LifecycleSelection => ({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: n });
const keepPrefixed = (prefixes: string[], n: number): LifecycleSelection => ({ tagStatus: "tagged", tagPrefixList: prefixes, countType: "imageCountMoreThan", countNumber: n });

describe("which images a lifecycle policy expires (AWS's documented evaluation)", () => {
  const cases: [name: string, rules: LifecycleRule[], images: LifecycleImage[], expected: [digest: string, rule: number][]][] = [
    [
      "sinceImagePushed: untagged images older than 14 days; tagged ones and younger ones stay",
      [rule(1, untaggedOlderThan(14))],
      [img("u-old", [], 20), img("u-young", [], 10), img("t-old", ["v1"], 30)],
      [["u-old", 1]],
    ],
    ["sinceImagePushed: exactly N days old is not older than N days", [rule(1, untaggedOlderThan(14))], [img("u", [], 14)], []],
    [
      "imageCountMoreThan keeps the newest N by push time, expires the rest oldest first",
      [rule(1, keepAny(2))],
      [img("b", ["b"], 2), img("d", [], 4), img("a", ["a"], 1), img("c", ["c"], 3)],
      [
        ["d", 1],
        ["c", 1],
      ],
    ],
    ["imageCountMoreThan with fewer images than N expires nothing", [rule(1, keepAny(5))], [img("a", [], 1), img("b", [], 2)], []],
    [
      "tagged with a prefix: only images with a tag starting with it are counted",
      [rule(1, keepPrefixed(["prod"], 1))],
      [img("p1", ["prod-1"], 3), img("p2", ["prod-2"], 1), img("d1", ["dev-1"], 5), img("u", [], 9)],
      [["p1", 1]],
    ],
    [
      "tagPrefixList: every prefix must match one of the image's tags",
      [rule(1, keepPrefixed(["prod", "v"], 1))],
      [img("both-new", ["prod-a", "v2"], 1), img("both-old", ["prod-b", "v1"], 2), img("prod-only", ["prod-c"], 3)],
      [["both-old", 1]],
    ],
    [
      "tagPatternList: a wildcard matches a whole tag",
      [rule(1, { tagStatus: "tagged", tagPatternList: ["prod*"], countType: "imageCountMoreThan", countNumber: 1 })],
      [img("p-new", ["prod-2"], 1), img("p-old", ["prod-1"], 2), img("pre", ["preprod"], 3)],
      [["p-old", 1]],
    ],
    [
      "an image is expired by at most one rule (the first in priority)",
      [rule(1, untaggedOlderThan(1)), rule(2, keepAny(1))],
      [img("new", ["latest"], 0), img("u", [], 5)],
      [["u", 1]],
    ],
    [
      "an image that meets a higher-priority rule's tagging requirements is not expired by a lower one",
      [rule(1, keepPrefixed(["prod"], 5)), rule(2, keepAny(1))],
      [img("p1", ["prod-1"], 3), img("p2", ["prod-2"], 2), img("dev", ["dev"], 1)],
      [],
    ],
    [
      "a lower-priority rule still counts what a higher one expired (as if it had not been)",
      [rule(1, untaggedOlderThan(1)), rule(2, keepAny(2))],
      [img("t1", ["a"], 1), img("u1", [], 2), img("t2", ["b"], 3)],
      [
        ["t2", 2],
        ["u1", 1],
      ],
    ],
    [
      "rules apply by ascending priority whatever their order in the policy",
      [rule(9, keepAny(1)), rule(3, untaggedOlderThan(1))],
      [img("t", ["a"], 0), img("u", [], 2)],
      [["u", 3]],
    ],
    [
      "equal push times: the decision does not depend on input order (digest order breaks the tie)",
      [rule(1, keepAny(1))],
      [img("y", [], 1), img("x", [], 1), img("z", [], 1)],
      [
        ["y", 1],
        ["z", 1],
      ],
    ],
    ["no images, nothing expired", [rule(1, keepAny(1))], [], []],
  ];
  for (const [name, rules, images, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        expiredImages({ rules }, images, NOW).map((e) => [e.digest, e.rulePriority]),
        expected,
      );
    });
  }
});
