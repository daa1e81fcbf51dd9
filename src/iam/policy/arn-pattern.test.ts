import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileArnPattern, looksLikeArn } from "./arn-pattern.js";
import { contextOf } from "./engine.js";

const LOG_STREAM = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/apprunner/web:log-stream:i-1";
const SERVICE = "arn:aws:apprunner:us-east-1:111122223333:service/web/0123";

/** [pattern, value, matches]: each shape the compiler takes a different path for (any, literal, prefix, segments, variables). */
const cases: [string, string, boolean][] = [
  ["*", SERVICE, true],
  ["**", SERVICE, true],
  [SERVICE, SERVICE, true],
  [SERVICE, `${SERVICE}x`, false],
  ["arn:aws:logs:us-east-1:111122223333:log-group:/aws/*", LOG_STREAM, true],
  ["arn:aws:logs:us-east-1:111122223333:log-group:/other/*", LOG_STREAM, false],
  ["arn:aws:logs:*", LOG_STREAM, true],
  ["arn:aws:logs:*:*:log-group:*", LOG_STREAM, true],
  ["arn:aws:*:us-east-1:111122223333:log-group:*", LOG_STREAM, true],
  ["arn:aws:logs:*:111122223333", LOG_STREAM, false],
  ["arn:aws:logs:us-*-1:*:*", LOG_STREAM, true],
  ["arn:aws:logs:us-east-?:*:*", LOG_STREAM, true],
  ["arn:aws:logs:?:*:*", LOG_STREAM, false],
  ["arn:aws:apprunner:*:*:service/*/0123", SERVICE, true],
  ["arn:aws:apprunner:*:*:service/web/012?", SERVICE, true],
  ["arn:aws:apprunner:*:*:service/web/012", SERVICE, false],
  ["arn:aws:apprunner:*:*:service/${aws:username}/*", SERVICE, true],
  ["arn:aws:apprunner:*:*:service/${aws:username}", SERVICE, false],
  ["arn:aws:apprunner:*:${aws:PrincipalAccount}:service/*", SERVICE, true],
  ["arn:aws:apprunner:*:${aws:username}:service/*", SERVICE, false],
  ["arn:aws:apprunner:*:*:service/a.b+(c)/*", "arn:aws:apprunner:us-east-1:1:service/a.b+(c)/1", true],
  ["arn:aws:apprunner:*:*:service/a.b/*", "arn:aws:apprunner:us-east-1:1:service/axb/1", false],
];

describe("ARN patterns: six parts, wildcards inside a part, the last part takes the rest", () => {
  const ctx = contextOf({ "aws:username": "web", "aws:PrincipalAccount": "111122223333" });
  for (const [pattern, value, expected] of cases) {
    it(`${pattern} ${expected ? "matches" : "does not match"} ${value}`, () => {
      assert.equal(compileArnPattern(pattern, true).match(value, ctx), expected ? 1 : 0);
    });
  }

  it("a variable without a value is neither a match nor a mismatch", () => {
    assert.equal(compileArnPattern("arn:aws:apprunner:*:*:service/${aws:username}/*", true).match(SERVICE, contextOf({})), -1);
  });

  it("knows an ARN when it sees one", () => {
    assert.equal(looksLikeArn(SERVICE), true);
    assert.equal(looksLikeArn("arn:aws:s3:::bucket"), true);
    assert.equal(looksLikeArn("arn:aws:s3::bucket"), false);
    assert.equal(looksLikeArn("urn:aws:s3:::bucket"), false);
  });
});
