import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { ssmAuthorization } from "./authorization.js";

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" };
const P = "arn:aws:ssm:us-east-1:123456789012:parameter";

const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
  ["GetParameter", { Name: "/app/db" }, [{ action: "ssm:GetParameter", resource: `${P}/app/db` }]],
  ["GetParameter", { Name: "/app/db:prod" }, [{ action: "ssm:GetParameter", resource: `${P}/app/db` }]],
  ["GetParameter", { Name: "db:3" }, [{ action: "ssm:GetParameter", resource: `${P}/db` }]],
  ["GetParameter", { Name: `${P}/app/db:3` }, [{ action: "ssm:GetParameter", resource: `${P}/app/db` }]],
  ["GetParameters", { Names: ["/a", "b"] }, [{ action: "ssm:GetParameters", resource: `${P}/a` }, { action: "ssm:GetParameters", resource: `${P}/b` }]],
  ["DeleteParameters", { Names: ["/x/y"] }, [{ action: "ssm:DeleteParameters", resource: `${P}/x/y` }]],
  ["GetParametersByPath", { Path: "/app" }, [{ action: "ssm:GetParametersByPath", resource: `${P}/app` }]],
  ["DescribeParameters", { ParameterFilters: [] }, [{ action: "ssm:DescribeParameters", resource: "*" }]],
  [
    "PutParameter",
    { Name: "/app/db", Tags: [{ Key: "Team", Value: "web" }] },
    [{ action: "ssm:PutParameter", resource: `${P}/app/db`, conditions: { "aws:tagkeys": ["Team"], "aws:requesttag/team": "web" } }],
  ],
  ["RemoveTagsFromResource", { ResourceType: "Parameter", ResourceId: "/app/db", TagKeys: ["a"] }, [{ action: "ssm:RemoveTagsFromResource", resource: `${P}/app/db`, conditions: { "aws:tagkeys": ["a"] } }]],
  ["ListTagsForResource", { ResourceType: "Parameter", ResourceId: "db" }, [{ action: "ssm:ListTagsForResource", resource: `${P}/db` }]],
  ["LabelParameterVersion", { Name: "/app/db", Labels: ["x"] }, [{ action: "ssm:LabelParameterVersion", resource: `${P}/app/db` }]],
  ["GetParameterHistory", {}, [{ action: "ssm:GetParameterHistory", resource: "*" }]],
];

describe("Parameter Store in IAM's words", () => {
  const mapping = ssmAuthorization("us-east-1");
  for (const [operation, input, want] of TABLE) {
    it(`${operation} ${JSON.stringify(input)}`, () => assert.deepEqual(mapping.requestsOf?.(operation, input, principal), want));
  }
});
