import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkFilters, matchesFilters, type Filterable, type SecretFilter } from "./filters.js";

const SECRET: Filterable = {
  name: "prod/db-password",
  description: "Primary Database password",
  tags: [
    { Key: "Team", Value: "payments" },
    { Key: "env", Value: "prod" },
  ],
  region: "us-east-1",
};

describe("ListSecrets filters", () => {
  const TABLE: [string, SecretFilter[], boolean][] = [
    ["no filter", [], true],
    ["name prefix", [{ Key: "name", Values: ["prod/"] }], true],
    ["name is case-sensitive", [{ Key: "name", Values: ["Prod/"] }], false],
    ["name is a prefix, not a substring", [{ Key: "name", Values: ["db"] }], false],
    ["description is not case-sensitive", [{ Key: "description", Values: ["primary data"] }], true],
    ["tag-key prefix", [{ Key: "tag-key", Values: ["Te"] }], true],
    ["tag-key is case-sensitive", [{ Key: "tag-key", Values: ["team"] }], false],
    ["tag-value", [{ Key: "tag-value", Values: ["pay"] }], true],
    ["values are alternatives", [{ Key: "tag-value", Values: ["staging", "prod"] }], true],
    ["filters all apply", [{ Key: "name", Values: ["prod/"] }, { Key: "tag-value", Values: ["staging"] }], false],
    ["negation", [{ Key: "tag-value", Values: ["!staging"] }], true],
    ["negation of a match", [{ Key: "name", Values: ["!prod/"] }], false],
    ["all: a word of any attribute, not case-sensitive", [{ Key: "all", Values: ["PAYMENTS"] }], true],
    ["all: a word inside the name", [{ Key: "all", Values: ["password"] }], true],
    ["all: every word must be found", [{ Key: "all", Values: ["database nowhere"] }], false],
    ["primary-region", [{ Key: "primary-region", Values: ["us-"] }], true],
    ["owning-service: none here", [{ Key: "owning-service", Values: ["apprunner"] }], false],
  ];
  for (const [name, filters, expected] of TABLE) it(name, () => assert.equal(matchesFilters(filters, SECRET), expected));

  it("a filter without values or with another key is refused", () => {
    assert.throws(() => checkFilters([{ Key: "name", Values: [] }]), { code: "InvalidParameter" });
    assert.throws(() => checkFilters([{ Key: "colour", Values: ["x"] }]), { code: "InvalidParameter" });
    assert.doesNotThrow(() => checkFilters([{ Key: "all", Values: ["x"] }]));
  });
});
