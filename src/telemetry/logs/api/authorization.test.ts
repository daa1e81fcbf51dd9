import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../../../iam/authorization.js";
import type { Principal } from "../../../iam/principal.js";
import { logsAuthorization } from "./authorization.js";

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" };
const G = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apprunner/web/1/application";

const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
  ["DescribeLogGroups", { logGroupNamePrefix: "/aws/apprunner" }, [{ action: "logs:DescribeLogGroups", resource: "*" }]],
  ["CreateLogGroup", { logGroupName: "/aws/apprunner/web/1/application" }, [{ action: "logs:CreateLogGroup", resource: `${G}:*` }]],
  [
    "CreateLogGroup",
    { logGroupName: "/aws/apprunner/web/1/application", tags: { Team: "blue" } },
    [{ action: "logs:CreateLogGroup", resource: `${G}:*`, conditions: { "aws:tagkeys": ["Team"], "aws:requesttag/team": "blue" } }],
  ],
  ["DeleteLogGroup", { logGroupName: "/aws/apprunner/web/1/application" }, [{ action: "logs:DeleteLogGroup", resource: `${G}:*` }]],
  ["PutRetentionPolicy", { logGroupName: "/aws/apprunner/web/1/application", retentionInDays: 7 }, [{ action: "logs:PutRetentionPolicy", resource: `${G}:*` }]],
  ["DescribeLogStreams", { logGroupIdentifier: `${G}:*` }, [{ action: "logs:DescribeLogStreams", resource: `${G}:*` }]],
  ["FilterLogEvents", { logGroupIdentifier: G }, [{ action: "logs:FilterLogEvents", resource: `${G}:*` }]],
  ["CreateLogStream", { logGroupName: "/aws/apprunner/web/1/application", logStreamName: "s" }, [{ action: "logs:CreateLogStream", resource: `${G}:*` }]],
  ["PutLogEvents", { logGroupName: "/aws/apprunner/web/1/application", logStreamName: "s", logEvents: [] }, [{ action: "logs:PutLogEvents", resource: `${G}:log-stream:s` }]],
  ["GetLogEvents", { logGroupName: "/aws/apprunner/web/1/application", logStreamName: "s" }, [{ action: "logs:GetLogEvents", resource: `${G}:log-stream:s` }]],
  ["DeleteLogStream", { logGroupName: "/aws/apprunner/web/1/application", logStreamName: "s" }, [{ action: "logs:DeleteLogStream", resource: `${G}:log-stream:s` }]],
];

describe("CloudWatch Logs' calls as IAM authorizes them", () => {
  const { requestsOf } = logsAuthorization("eu-west-1");
  for (const [op, input, expected] of TABLE) {
    it(`${op} ${JSON.stringify(input)}`, () => assert.deepEqual(requestsOf?.(op, input, principal), expected));
  }
});
