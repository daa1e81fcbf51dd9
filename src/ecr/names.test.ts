import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRepositoryArn, repositoryArn, repositoryNameProblem } from "./names.js";

describe("ECR repository names", () => {
  const cases: [name: string, problem: string | undefined][] = [
    ["ab", undefined],
    ["hello", undefined],
    ["team/app", undefined],
    ["team/sub/app-1", undefined],
    ["a.b_c-d", undefined],
    ["0app", undefined],
    ["a", "must have length greater than or equal to 2"],
    ["a".repeat(256), undefined],
    ["a".repeat(257), "must have length less than or equal to 256"],
    ["Hello", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["app-", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["-app", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["a--b", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["a__b", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["team//app", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["/app", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["app/", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["app:tag", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
    ["127.0.0.1:8601/app", "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"],
  ];
  for (const [name, problem] of cases) {
    it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name)}: ${problem ?? "valid"}`, () => {
      assert.equal(repositoryNameProblem(name), problem);
    });
  }
});

describe("ECR repository ARNs", () => {
  const scope = { region: "us-east-1", accountId: "123456789012" };
  it("round-trip, names with slashes included", () => {
    for (const name of ["app", "team/sub/app"]) {
      const arn = repositoryArn(scope, name);
      assert.equal(arn, `arn:aws:ecr:us-east-1:123456789012:repository/${name}`);
      assert.deepEqual(parseRepositoryArn(arn), { ...scope, name });
    }
  });
  it("anything else is not one", () => {
    for (const arn of ["", "arn:aws:ecr:us-east-1:123:repository/app", "arn:aws:apprunner:us-east-1:123456789012:service/x/y", "arn:aws:ecr:us-east-1:123456789012:repository/"]) {
      assert.equal(parseRepositoryArn(arn), undefined, arn);
    }
  });
});
