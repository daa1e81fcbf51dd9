import assert from "node:assert/strict";
import { test } from "node:test";
import { builtInPullAccess } from "./access-role.js";
import type { PullRequestOfService } from "./types.js";

test("builtInPullAccess: ECR images of the built-in registry ask the access role about their repository's ARN; other images are not asked", () => {
  const asked: unknown[] = [];
  const access = builtInPullAccess({
    isBuiltIn: (host) => host === "123456789012.dkr.ecr.us-east-1.amazonaws.com" || host === "127.0.0.1:8601",
    region: "us-east-1",
    accountId: "123456789012",
    mayPull: (input) => void asked.push(input),
  });
  const req = (identifier: string, repositoryType: string, accessRoleArn?: string): PullRequestOfService => ({ identifier, repositoryType, accessRoleArn, serviceName: "web", deploymentId: "op1" });
  const role = "arn:aws:iam::123456789012:role/AppRunnerECRAccessRole";
  access.check(req("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1", "ECR", role));
  access.check(req("127.0.0.1:8601/shop@sha256:" + "a".repeat(64), "ECR", role));
  access.check(req("127.0.0.1:5000/hello:latest", "ECR", role));
  access.check(req("127.0.0.1:8601/shop:v1", "ECR_PUBLIC"));
  assert.deepEqual(asked, [
    { roleArn: role, repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/team/app", sessionName: "op1" },
    { roleArn: role, repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/shop", sessionName: "op1" },
  ]);
  assert.throws(() => access.check(req("127.0.0.1:8601/shop:v1", "ECR")), { code: "ImageAccessDenied", message: /Service web has no access role to pull 127\.0\.0\.1:8601\/shop:v1/ });
});
