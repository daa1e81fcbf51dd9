import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resourcesOf } from "./resources.js";

const P = "arn:aws:apprunner:us-east-1:123456789012";
const SERVICE = `${P}:service/web/0123456789abcdef0123456789abcdef`;
const ASC = `${P}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`;
const CONNECTION = `${P}:connection/gh/0123456789abcdef0123456789abcdef`;
const LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apprunner/web:*";
const RULE = "arn:aws:events:us-east-1:123456789012:rule/r";

const SERVICE_TYPE = "AWS::AppRunner::Service";

describe("the resources a call names", () => {
  const rows: [label: string, request: unknown, response: unknown, expected: [string, string][]][] = [
    ["DescribeService: the service in the request", { serviceArn: SERVICE }, null, [["AWS::AppRunner::Service", SERVICE]]],
    [
      "CreateService: the new service from the response, not the configuration it mentions",
      { serviceName: "web" },
      { service: { serviceArn: SERVICE, autoScalingConfigurationSummary: { autoScalingConfigurationArn: ASC } }, operationId: "x" },
      [["AWS::AppRunner::Service", SERVICE]],
    ],
    [
      "CreateService naming a configuration and a connection: both, then the service",
      { autoScalingConfigurationArn: ASC, sourceConfiguration: { authenticationConfiguration: { connectionArn: CONNECTION } } },
      { service: { serviceArn: SERVICE } },
      [
        ["AWS::AppRunner::AutoScalingConfiguration", ASC],
        ["AWS::AppRunner::Connection", CONNECTION],
        ["AWS::AppRunner::Service", SERVICE],
      ],
    ],
    [
      "other services' ARNs",
      { logGroupArn: LOG_GROUP, ruleArn: RULE },
      null,
      [
        ["AWS::Logs::LogGroup", LOG_GROUP],
        ["AWS::Events::Rule", RULE],
      ],
    ],
    ["an IAM role and plain strings: nothing", { instanceRoleArn: "arn:aws:iam::123456789012:role/r", name: "arn-like" }, null, []],
    ["the same ARN twice: once", { a: SERVICE, b: [SERVICE] }, { service: { serviceArn: SERVICE } }, [[SERVICE_TYPE, SERVICE]]],
  ];
  for (const [label, request, response, expected] of rows) {
    it(label, () =>
      assert.deepEqual(
        resourcesOf(request, response),
        expected.map(([ResourceType, ResourceName]) => ({ ResourceType, ResourceName })),
      ));
  }
});
