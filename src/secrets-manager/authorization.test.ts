import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { secretsManagerAuthorization } from "./authorization.js";

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" };
const A = "arn:aws:secretsmanager:us-east-1:123456789012:secret";
const KNOWN: Record<string, string> = { "prod/db": `${A}:prod/db-Ab12Cd`, [`${A}:prod/db`]: `${A}:prod/db-Ab12Cd` };

describe("Secrets Manager's calls in IAM's words", () => {
  const mapping = secretsManagerAuthorization("us-east-1", (id) => KNOWN[id]);
  const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
    ["ListSecrets", {}, [{ action: "secretsmanager:ListSecrets", resource: "*" }]],
    ["CreateSecret", { Name: "prod/api" }, [{ action: "secretsmanager:CreateSecret", resource: `${A}:prod/api-??????` }]],
    [
      "CreateSecret",
      { Name: "prod/api", Tags: [{ Key: "Team", Value: "web" }] },
      [{ action: "secretsmanager:CreateSecret", resource: `${A}:prod/api-??????`, conditions: { "aws:tagkeys": ["Team"], "aws:requesttag/team": "web" } }],
    ],
    ["GetSecretValue", { SecretId: "prod/db" }, [{ action: "secretsmanager:GetSecretValue", resource: `${A}:prod/db-Ab12Cd` }]],
    ["GetSecretValue", { SecretId: `${A}:prod/db` }, [{ action: "secretsmanager:GetSecretValue", resource: `${A}:prod/db-Ab12Cd` }]],
    ["GetSecretValue", { SecretId: "nope" }, [{ action: "secretsmanager:GetSecretValue", resource: `${A}:nope` }]],
    ["DescribeSecret", { SecretId: `${A}:other-123456` }, [{ action: "secretsmanager:DescribeSecret", resource: `${A}:other-123456` }]],
    ["UntagResource", { SecretId: "prod/db", TagKeys: ["a"] }, [{ action: "secretsmanager:UntagResource", resource: `${A}:prod/db-Ab12Cd`, conditions: { "aws:tagkeys": ["a"] } }]],
    [
      "TagResource",
      { SecretId: "prod/db", Tags: [{ Key: "a", Value: "1" }] },
      [{ action: "secretsmanager:TagResource", resource: `${A}:prod/db-Ab12Cd`, conditions: { "aws:tagkeys": ["a"], "aws:requesttag/a": "1" } }],
    ],
  ];
  for (const [operation, input, expected] of TABLE) {
    it(`${operation} ${JSON.stringify(input)}`, () => assert.deepEqual(mapping.requestsOf?.(operation, input, principal), expected));
  }
});
