import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { ecrAuthorization } from "./authorization.js";

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" };
const R = "arn:aws:ecr:us-east-1:123456789012:repository";

const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
  ["GetAuthorizationToken", {}, [{ action: "ecr:GetAuthorizationToken", resource: "*" }]],
  ["CreateRepository", { repositoryName: "team/app" }, [{ action: "ecr:CreateRepository", resource: `${R}/team/app` }]],
  [
    "CreateRepository",
    { repositoryName: "app", tags: [{ Key: "Owner", Value: "alice" }] },
    [{ action: "ecr:CreateRepository", resource: `${R}/app`, conditions: { "aws:tagkeys": ["Owner"], "aws:requesttag/owner": "alice" } }],
  ],
  ["DeleteRepository", { repositoryName: "app", force: true }, [{ action: "ecr:DeleteRepository", resource: `${R}/app` }]],
  ["DescribeRepositories", {}, [{ action: "ecr:DescribeRepositories", resource: "*" }]],
  ["DescribeRepositories", { repositoryNames: ["a", "b"] }, [{ action: "ecr:DescribeRepositories", resource: `${R}/a` }, { action: "ecr:DescribeRepositories", resource: `${R}/b` }]],
  ["ListImages", { repositoryName: "app", registryId: "123456789012" }, [{ action: "ecr:ListImages", resource: `${R}/app` }]],
  ["BatchDeleteImage", { repositoryName: "app", imageIds: [] }, [{ action: "ecr:BatchDeleteImage", resource: `${R}/app` }]],
  ["PutLifecyclePolicy", { repositoryName: "app", lifecyclePolicyText: "{}" }, [{ action: "ecr:PutLifecyclePolicy", resource: `${R}/app` }]],
  ["ListTagsForResource", { resourceArn: `${R}/app` }, [{ action: "ecr:ListTagsForResource", resource: `${R}/app` }]],
  [
    "TagResource",
    { resourceArn: `${R}/app`, tags: [{ Key: "Env", Value: "prod" }] },
    [{ action: "ecr:TagResource", resource: `${R}/app`, conditions: { "aws:tagkeys": ["Env"], "aws:requesttag/env": "prod" } }],
  ],
  ["UntagResource", { resourceArn: `${R}/app`, tagKeys: ["Env"] }, [{ action: "ecr:UntagResource", resource: `${R}/app`, conditions: { "aws:tagkeys": ["Env"] } }]],
];

describe("ECR's calls as IAM authorizes them", () => {
  const { requestsOf } = ecrAuthorization("us-east-1");
  for (const [op, input, expected] of TABLE) {
    it(`${op} ${JSON.stringify(input)}`, () => assert.deepEqual(requestsOf?.(op, input, principal), expected));
  }
});
