import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSecretSource, secretNameProblem, secretReferenceProblems, type SecretSource } from "./runtime-secrets.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:testingstackAppRunnerConstr-kJFXde2ULKbT-S7t8xR";

describe("parseSecretSource: where a value-from points", () => {
  const ok: [string, SecretSource][] = [
    [SECRET, { kind: "secretsmanager", secretId: SECRET }],
    // App Runner's documented example: a JSON key, no stage, no version id.
    [`${SECRET}:username::`, { kind: "secretsmanager", secretId: SECRET, jsonKey: "username" }],
    [`${SECRET}:::`, { kind: "secretsmanager", secretId: SECRET }],
    [`${SECRET}::AWSPREVIOUS:`, { kind: "secretsmanager", secretId: SECRET, versionStage: "AWSPREVIOUS" }],
    [
      `${SECRET}:password:AWSCURRENT:0e5c3f0a-8f4b-4a55-9d9e-6c0b6a0e1f11`,
      { kind: "secretsmanager", secretId: SECRET, jsonKey: "password", versionStage: "AWSCURRENT", versionId: "0e5c3f0a-8f4b-4a55-9d9e-6c0b6a0e1f11" },
    ],
    ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", { kind: "secretsmanager", secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf" }],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password", { kind: "ssm", name: "arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password" }],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/plain", { kind: "ssm", name: "arn:aws:ssm:us-east-1:123456789012:parameter/plain" }],
    ["/app/db/password", { kind: "ssm", name: "/app/db/password" }],
    ["db-password", { kind: "ssm", name: "db-password" }],
    ["db-password:3", { kind: "ssm", name: "db-password:3" }],
  ];
  for (const [valueFrom, source] of ok) {
    it(`${valueFrom} -> ${source.kind}`, () => assert.deepEqual(parseSecretSource(valueFrom), { ok: true, source }));
  }

  const refused: [string, RegExp][] = [
    ["", /is empty/],
    ["x".repeat(2049), /longer than 2048/],
    ["has space", /neither an ARN nor a parameter name/],
    ["arn:aws:secretsmanager:us-east-1:1234:secret:x", /not a well-formed ARN/],
    ["arn:aws:secretsmanager::123456789012:secret:x", /names no region/],
    ["arn:aws:s3:us-east-1:123456789012:bucket", /an ARN of s3, not of Secrets Manager or SSM/],
    ["arn:aws:secretsmanager:us-east-1:123456789012:other:x", /not of a secret/],
    ["arn:aws:secretsmanager:us-east-1:123456789012:secret:", /names no valid secret/],
    [`${SECRET}:username`, /has 1 part after the secret's ARN; write all three/],
    [`${SECRET}:username:AWSCURRENT`, /has 2 parts/],
    [`${SECRET}:a:b:c:d`, /has 4 parts/],
    [`${SECRET}::AWSCURRENT:${"v".repeat(65)}`, /version id longer than 64/],
    ["arn:aws:ssm:us-east-1:123456789012:document/x", /not of a parameter/],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/", /not of a parameter/],
  ];
  for (const [valueFrom, problem] of refused) {
    it(`refuses ${valueFrom.slice(0, 80) || "(empty)"}`, () => {
      const parsed = parseSecretSource(valueFrom);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.problem, problem);
    });
  }
});

describe("secretNameProblem: names a secret may have", () => {
  const plain = new Set(["LOG_LEVEL"]);
  const table: [string, RegExp | undefined][] = [
    ["DB_PASSWORD", undefined],
    ["db.password", undefined],
    ["PORT", /PORT is reserved/],
    ["AWSAPPRUNNER_X", /prefix AWSAPPRUNNER/],
    ["LOG_LEVEL", /also a plain environment variable/],
    ["A B", /not a variable name/],
    ["A=B", /not a variable name/],
  ];
  for (const [name, problem] of table) {
    it(`${name}: ${problem ? "refused" : "allowed"}`, () => {
      const got = secretNameProblem(name, plain);
      if (problem) assert.match(got ?? "", problem);
      else assert.equal(got, undefined);
    });
  }

  it("secretReferenceProblems names each variable with its first problem, in order", () => {
    const problems = secretReferenceProblems({ OK: SECRET, PORT: SECRET, BAD: "arn:aws:s3:us-east-1:123456789012:b" }, new Set());
    assert.deepEqual(problems.map((p) => p.name), ["PORT", "BAD"]);
    assert.match(problems[1]?.message ?? "", /^the reference of BAD is an ARN of s3/);
  });
});
