import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../../../iam/authorization.js";
import type { Principal } from "../../../iam/principal.js";
import { eventsAuthorization } from "./authorization.js";

const principal: Principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" };
const P = "arn:aws:events:us-east-1:123456789012";
const ROLE = "arn:aws:iam::123456789012:role/events-invoke";
const PASSED = { "iam:passedtoservice": "events.amazonaws.com" };

const TABLE: [string, Record<string, unknown>, AuthorizationRequest[]][] = [
  ["PutRule", { Name: "deploys", EventPattern: "{}" }, [{ action: "events:PutRule", resource: `${P}:rule/deploys` }]],
  [
    "PutRule",
    { Name: "deploys", EventBusName: "team", Tags: [{ Key: "Owner", Value: "alice" }], RoleArn: ROLE },
    [
      { action: "events:PutRule", resource: `${P}:rule/team/deploys`, conditions: { "aws:tagkeys": ["Owner"], "aws:requesttag/owner": "alice" } },
      { action: "iam:PassRole", resource: ROLE, conditions: PASSED },
    ],
  ],
  ["DescribeRule", { Name: "deploys", EventBusName: `${P}:event-bus/default` }, [{ action: "events:DescribeRule", resource: `${P}:rule/deploys` }]],
  ["DeleteRule", { Name: "deploys" }, [{ action: "events:DeleteRule", resource: `${P}:rule/deploys` }]],
  ["EnableRule", { Name: "deploys" }, [{ action: "events:EnableRule", resource: `${P}:rule/deploys` }]],
  ["DisableRule", { Name: "deploys" }, [{ action: "events:DisableRule", resource: `${P}:rule/deploys` }]],
  ["ListTargetsByRule", { Rule: "deploys" }, [{ action: "events:ListTargetsByRule", resource: `${P}:rule/deploys` }]],
  [
    "PutTargets",
    { Rule: "deploys", Targets: [{ Id: "1", Arn: "arn:aws:events:us-east-1:123456789012:api-destination/x/1", RoleArn: ROLE }, { Id: "2", Arn: "x", RoleArn: ROLE }] },
    [{ action: "events:PutTargets", resource: `${P}:rule/deploys` }, { action: "iam:PassRole", resource: ROLE, conditions: PASSED }],
  ],
  ["RemoveTargets", { Rule: "deploys", Ids: ["1"] }, [{ action: "events:RemoveTargets", resource: `${P}:rule/deploys` }]],
  ["DescribeEventBus", {}, [{ action: "events:DescribeEventBus", resource: `${P}:event-bus/default` }]],
  [
    "PutEvents",
    { Entries: [{ Source: "a" }, { Source: "b", EventBusName: "default" }, { Source: "c", EventBusName: "team" }] },
    [{ action: "events:PutEvents", resource: `${P}:event-bus/default` }, { action: "events:PutEvents", resource: `${P}:event-bus/team` }],
  ],
  ["ListRules", {}, [{ action: "events:ListRules", resource: "*" }]],
  ["ListEventBuses", {}, [{ action: "events:ListEventBuses", resource: "*" }]],
  ["ListRuleNamesByTarget", { TargetArn: "x" }, [{ action: "events:ListRuleNamesByTarget", resource: "*" }]],
  ["TestEventPattern", { Event: "{}", EventPattern: "{}" }, [{ action: "events:TestEventPattern", resource: "*" }]],
];

describe("EventBridge's calls as IAM authorizes them", () => {
  const { requestsOf } = eventsAuthorization("us-east-1");
  for (const [op, input, expected] of TABLE) {
    it(`${op} ${JSON.stringify(input)}`, () => assert.deepEqual(requestsOf?.(op, input, principal), expected));
  }
});
