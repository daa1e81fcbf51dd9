import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parseLifecyclePolicy } from "./policy.js";

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

const rule = (selection: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  rulePriority: 1,
  selection,
  action: { type: "expire" },
  ...extra,
});
const untagged = { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 };
const keepTen = { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 };
const policy = (...rules: unknown[]): string => JSON.stringify({ rules });

describe("lifecycle policy validation", () => {
  const accepted: [name: string, text: string][] = [
    ["expire untagged images older than 14 days", policy(rule(untagged))],
    ["keep the newest 10 of any", policy(rule(keepTen))],
    ["tagged with prefixes", policy(rule({ tagStatus: "tagged", tagPrefixList: ["prod", "v"], countType: "imageCountMoreThan", countNumber: 3 }))],
    ["tagged with patterns", policy(rule({ tagStatus: "tagged", tagPatternList: ["prod*"], countType: "imageCountMoreThan", countNumber: 3 }))],
    ["with a description", policy(rule(untagged, { description: "clean up" }))],
    [
      "several rules, any last",
      policy(rule(untagged), rule(keepTen, { rulePriority: 5 }), rule({ tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 1 }, { rulePriority: 2 })),
    ],
  ];
  for (const [name, text] of accepted) {
    it(`accepts: ${name}`, () => assert.ok(parseLifecyclePolicy(text).rules.length > 0));
  }

  const refused: [name: string, text: string, detail: string][] = [
    ["not JSON", "{rules", "Could not map policyString into LifecyclePolicy."],
    ["not an object", "[]", "Could not map policyString into LifecyclePolicy."],
    ["no rules", "{}", 'object has missing required properties (["rules"])'],
    ["an unknown top-level property", JSON.stringify({ rules: [rule(untagged)], x: 1 }), 'object instance has properties which are not allowed by the schema: (["x"])'],
    ["an empty rule list", policy(), "array is too short: must have at least 1 elements but instance has 0 elements"],
    ["a rule that is not an object", policy(5), 'instance type (integer) does not match any allowed primitive type (allowed: ["object"])'],
    ["a rule without action and selection", policy({ rulePriority: 1 }), 'object has missing required properties (["action","selection"])'],
    ["a rule with an unknown property", policy(rule(untagged, { when: "now" })), 'object instance has properties which are not allowed by the schema: (["when"])'],
    ["rulePriority 0", policy(rule(untagged, { rulePriority: 0 })), "numeric instance is lower than the required minimum (minimum: 1, found: 0)"],
    ["rulePriority a string", policy(rule(untagged, { rulePriority: "1" })), 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])'],
    ["an action other than expire", policy(rule(untagged, { action: { type: "archive" } })), 'instance value ("archive") not found in enum (possible values: ["expire"])'],
    ["a selection without countType", policy(rule({ tagStatus: "untagged", countNumber: 1 })), 'object has missing required properties (["countType"])'],
    ["an unknown tagStatus", policy(rule({ ...untagged, tagStatus: "some" })), 'instance value ("some") not found in enum (possible values: ["any","tagged","untagged"])'],
    ["an unknown countType", policy(rule({ ...keepTen, countType: "imagesOlderThan" })), 'instance value ("imagesOlderThan") not found in enum (possible values: ["imageCountMoreThan","sinceImagePushed"])'],
    ["sinceImagePushed without countUnit", policy(rule({ tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 1 })), "instance failed to match exactly one schema (matched 0 out of 2)"],
    ["imageCountMoreThan with countUnit", policy(rule({ ...keepTen, countUnit: "days" })), "instance failed to match exactly one schema (matched 0 out of 2)"],
    ["countUnit hours", policy(rule({ ...untagged, countUnit: "hours" })), 'instance value ("hours") not found in enum (possible values: ["days"])'],
    ["countNumber 0", policy(rule({ ...keepTen, countNumber: 0 })), "numeric instance is lower than the required minimum (minimum: 1, found: 0)"],
    ["tagged without prefixes or patterns", policy(rule({ tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 })), "tagPrefixList or tagPatternList is required when tagStatus is tagged"],
    ["prefixes on untagged", policy(rule({ ...untagged, tagPrefixList: ["v"] })), "tagPrefixList and tagPatternList may only be used when tagStatus is tagged, found tagStatus untagged"],
    ["duplicate priorities", policy(rule(untagged), rule({ tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 1 })), "The rulePriority of each rule must be unique"],
    ["any not last", policy(rule(keepTen), rule(untagged, { rulePriority: 2 })), "A rule with tagStatus any must have the highest rulePriority and only one such rule is allowed"],
    ["two untagged rules", policy(rule(untagged), rule(untagged, { rulePriority: 2 })), "Only one rule may select untagged images"],
  ];
  for (const [name, text, detail] of refused) {
    it(`refuses: ${name}`, () => {
      assert.throws(
        () => parseLifecyclePolicy(text),
        (err: unknown) => err instanceof AppRunnerError && err.awsType === "InvalidParameterException" && err.message === `${PREFIX}${detail}'`,
      );
    });
  }

  it("rules come back in ascending priority", () => {
    const parsed = parseLifecyclePolicy(policy(rule(keepTen, { rulePriority: 9 }), rule(untagged, { rulePriority: 3 })));
    assert.deepEqual(
      parsed.rules.map((r) => r.rulePriority),
      [3, 9],
    );
  });
});
