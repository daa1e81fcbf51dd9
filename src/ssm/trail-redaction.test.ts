import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ssmModel } from "../model/model.js";
import { HIDDEN } from "../telemetry/audit/hidden.js";
import { trailValue } from "../telemetry/audit/redact-modeled.js";

/** The cut model keeps botocore's `sensitive` on PSParameterValue: every value the API takes or gives is hidden. */
describe("CloudTrail's view of Parameter Store's values", () => {
  const cases: [shape: string, value: unknown, want: unknown][] = [
    ["PutParameterRequest", { Name: "/db", Value: "pw", Type: "SecureString" }, { name: "/db", value: HIDDEN, type: "SecureString" }],
    ["GetParameterResult", { Parameter: { Name: "/db", Value: "pw", Version: 1 } }, { parameter: { name: "/db", value: HIDDEN, version: 1 } }],
    ["GetParametersResult", { Parameters: [{ Name: "a", Value: "x" }], InvalidParameters: ["b"] }, { parameters: [{ name: "a", value: HIDDEN }], invalidParameters: ["b"] }],
    ["GetParametersByPathResult", { Parameters: [{ Name: "/p/a", Value: "x" }] }, { parameters: [{ name: "/p/a", value: HIDDEN }] }],
    ["GetParameterHistoryResult", { Parameters: [{ Name: "/p/a", Value: "x", Labels: ["prod"] }] }, { parameters: [{ name: "/p/a", value: HIDDEN, labels: ["prod"] }] }],
  ];
  for (const [shape, value, want] of cases) it(shape, () => assert.deepEqual(trailValue(ssmModel, shape, value), want));
});
