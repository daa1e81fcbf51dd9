import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalName, checkPath, isUnderPath, parameterArn, parameterNameOf, parseReference } from "./names.js";

const PLACE = { region: "us-east-1", accountId: "123456789012" };
const deep = (n: number): string => `/${Array.from({ length: n }, (_, i) => `l${i}`).join("/")}`;

describe("canonicalName: the names PutParameter takes, as kept", () => {
  const cases: [given: string, kept: string | RegExp][] = [
    ["db-password", "db-password"],
    ["/db-password", "db-password"],
    ["/prod/db/password", "/prod/db/password"],
    ["/a_b.c-d/E9", "/a_b.c-d/E9"],
    [deep(15), deep(15)],
    [deep(16), /maximum of 15 levels/],
    ["", /must not be empty/],
    ["prod/db", /fully qualified/],
    ["/prod/db/", /must not end with slash/],
    ["/prod//db", /sub-path can be formed/],
    ["has space", /sub-path can be formed/],
    ["naïve", /sub-path can be formed/],
    ["a:b", /sub-path can be formed/],
    ["ssm-x", /can't be prefixed with "aws" or "ssm"/],
    ["AWSome", /can't be prefixed with "aws" or "ssm"/],
    ["/SSM/x", /can't be prefixed with "aws" or "ssm"/],
    ["/aws/x", /No access to reserved parameter name: \/aws\/x\./],
    [`/${"x".repeat(1011)}`, /1011 characters/],
  ];
  for (const [given, kept] of cases) {
    it(`${given.slice(0, 40)} -> ${String(kept).slice(0, 40)}`, () => {
      if (typeof kept === "string") assert.equal(canonicalName(given, PLACE), kept);
      else assert.throws(() => canonicalName(given, PLACE), kept);
    });
  }
  it("the AWS reserved path is AccessDenied, a bad name SSM's ValidationException", () => {
    assert.throws(() => canonicalName("/aws/x", PLACE), { code: "AccessDenied" });
    assert.throws(() => canonicalName("ssm", PLACE), { code: "SsmValidation" });
    assert.throws(() => canonicalName(deep(16), PLACE), { code: "SsmHierarchyLevelLimitExceeded" });
  });
});

describe("parseReference: names, ARNs and selectors of reads", () => {
  const arn = "arn:aws:ssm:us-east-1:123456789012:parameter";
  const cases: [given: string, name: string, selector: string, text?: string][] = [
    ["db", "db", "latest"],
    ["/db", "db", "latest"],
    ["/app/db", "/app/db", "latest"],
    ["/app/db:3", "/app/db", "version 3", ":3"],
    ["/app/db:prod", "/app/db", "label prod", ":prod"],
    [`${arn}/app/db`, "/app/db", "latest"],
    [`${arn}/db`, "db", "latest"],
    [`${arn}/app/db:prod`, "/app/db", "label prod", ":prod"],
  ];
  for (const [given, name, selector, text] of cases) {
    it(`${given} -> ${name} ${selector}`, () => {
      const ref = parseReference(given, PLACE);
      assert.equal(ref.name, name);
      const s = ref.selector;
      assert.equal(s.kind === "latest" ? "latest" : s.kind === "version" ? `version ${s.version}` : `label ${s.label}`, selector);
      assert.equal(ref.selectorText, text);
    });
  }
  const refused: [given: string, code: string][] = [
    ["app/db", "SsmValidation"],
    ["/app/db:", "SsmValidation"],
    ["/app/db:0", "SsmValidation"],
    ["/app/db:a:b", "SsmValidation"],
    ["", "SsmValidation"],
    ["arn:aws:ssm:eu-west-1:123456789012:parameter/db", "ParameterNotFound"],
    ["arn:aws:ssm:us-east-1:999999999999:parameter/db", "ParameterNotFound"],
  ];
  for (const [given, code] of refused) it(`${given || "(empty)"} is refused (${code})`, () => assert.throws(() => parseReference(given, PLACE), { code }));
  it("a call about the whole parameter (delete, history, labels, tags) takes no selector", () => {
    assert.equal(parameterNameOf("/app/db", PLACE), "/app/db");
    assert.equal(parameterNameOf(`${arn}/db`, PLACE), "db");
    assert.throws(() => parameterNameOf("/app/db:3", PLACE), { code: "SsmValidation" });
    assert.throws(() => parameterNameOf("/app/db:prod", PLACE), { code: "SsmValidation" });
  });
});

describe("paths and what is under them", () => {
  it("checkPath keeps a path without its trailing slash and refuses what is not a path", () => {
    assert.equal(checkPath("/"), "/");
    assert.equal(checkPath("/a/b/"), "/a/b");
    assert.throws(() => checkPath("a/b"), /must begin with a forward slash/);
    assert.throws(() => checkPath("/a b"), /must begin with a forward slash/);
    assert.throws(() => checkPath(deep(16)), { code: "SsmHierarchyLevelLimitExceeded" });
  });
  const cases: [name: string, path: string, recursive: boolean, under: boolean][] = [
    ["/a/b", "/a", false, true],
    ["/a/b/c", "/a", false, false],
    ["/a/b/c", "/a", true, true],
    ["/ab/c", "/a", true, false],
    ["/a", "/a", true, false],
    ["single", "/", false, true],
    ["/a/b", "/", false, false],
    ["/a/b", "/", true, true],
  ];
  for (const [name, path, recursive, under] of cases) {
    it(`${name} ${under ? "is" : "is not"} under ${path}${recursive ? " recursively" : ""}`, () => assert.equal(isUnderPath(name, path, recursive), under));
  }
  it("an ARN names the parameter without its leading slash", () => {
    assert.equal(parameterArn(PLACE, "/a/b"), "arn:aws:ssm:us-east-1:123456789012:parameter/a/b");
    assert.equal(parameterArn(PLACE, "db"), "arn:aws:ssm:us-east-1:123456789012:parameter/db");
  });
});
