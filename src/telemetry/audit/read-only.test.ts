import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isReadOnly } from "./read-only.js";

const TABLE: [operation: string, readOnly: boolean][] = [
  // App Runner
  ["DescribeService", true],
  ["DescribeCustomDomains", true],
  ["ListServices", true],
  ["ListTagsForResource", true],
  ["ListServicesForAutoScalingConfiguration", true],
  ["CreateService", false],
  ["UpdateService", false],
  ["DeleteService", false],
  ["StartDeployment", false],
  ["PauseService", false],
  ["TagResource", false],
  ["UpdateDefaultAutoScalingConfiguration", false],
  ["AssociateCustomDomain", false],
  // CloudWatch Logs, EventBridge, CloudWatch, CloudTrail
  ["GetLogEvents", true],
  ["FilterLogEvents", true],
  ["DescribeLogGroups", true],
  ["PutLogEvents", false],
  ["StartQuery", false],
  ["TestEventPattern", true],
  ["PutRule", false],
  ["GetMetricData", true],
  ["BatchGetSomething", true],
  ["PutMetricData", false],
  ["LookupEvents", true],
  // a verb is a whole word
  ["Listen", false],
  ["Getaway", false],
  ["Describe", true],
];

describe("readOnly classification", () => {
  for (const [operation, expected] of TABLE) {
    it(`${operation} → ${expected}`, () => assert.equal(isReadOnly(operation), expected));
  }
});
