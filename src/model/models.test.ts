import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_JSON_DEPTH } from "../protocol/http/json-body.js";
import { appRunnerModel, cloudTrailModel, cloudWatchModel, ecrModel, eventsModel, iamModel, kmsModel, logsModel, secretsManagerModel, ssmModel, type ServiceModel } from "./model.js";
import { validateInput } from "./validate.js";

/** How many JSON levels (objects and arrays) the deepest value of a shape can take; recursion counts as unbounded. */
function depthOf(model: ServiceModel, shapeName: string, visiting = new Set<string>()): number {
  const s = model.shapes[shapeName];
  if (!s) throw new Error(`no shape ${shapeName}`);
  if (visiting.has(shapeName)) return Number.POSITIVE_INFINITY;
  visiting.add(shapeName);
  try {
    switch (s.type) {
      case "structure":
        return 1 + Math.max(0, ...Object.values(s.members ?? {}).map((m) => depthOf(model, m.shape, visiting)));
      case "list":
        return 1 + (s.member ? depthOf(model, s.member.shape, visiting) : 0);
      case "map":
        return 1 + (s.value ? depthOf(model, s.value.shape, visiting) : 0);
      default:
        return 0;
    }
  } finally {
    visiting.delete(shapeName);
  }
}

const MODELS: [string, ServiceModel][] = [
  ["App Runner", appRunnerModel],
  ["CloudWatch Logs", logsModel],
  ["EventBridge", eventsModel],
  ["CloudWatch", cloudWatchModel],
  ["CloudTrail", cloudTrailModel],
  ["ECR", ecrModel],
  ["IAM", iamModel],
  ["Secrets Manager", secretsManagerModel],
  ["KMS", kmsModel],
  ["SSM", ssmModel],
];

describe("the models requests are checked against", () => {
  for (const [name, model] of MODELS) {
    it(`${name}: every input is far shallower than the protocol's depth limit`, () => {
      for (const [op, o] of Object.entries(model.operations)) {
        if (!o.input) continue;
        const depth = depthOf(model, o.input.shape);
        assert.ok(depth <= MAX_JSON_DEPTH / 4, `${name} ${op}: ${depth} levels`);
      }
    });
    it(`${name}: every shape an operation names exists`, () => {
      for (const o of Object.values(model.operations)) {
        for (const ref of [o.input, o.output]) if (ref) assert.ok(model.shapes[ref.shape], ref.shape);
      }
      for (const s of Object.values(model.shapes)) {
        for (const ref of [...Object.values(s.members ?? {}), s.member, s.key, s.value]) if (ref) assert.ok(model.shapes[ref.shape], ref.shape);
      }
    });
  }
});

describe("validateInput with checks: types", () => {
  const cases: [name: string, input: unknown, refused: boolean][] = [
    ["a wrong type", { logGroupName: 5 }, true],
    ["a wrong type in a map value", { logGroupName: "g", tags: { team: 1 } }, true],
    ["a constraint violation (the handler's to report)", { logGroupName: "" }, false],
    ["a missing required member (the handler's to report)", {}, false],
    ["an unknown member of any type", { logGroupName: "g", unknown: [1, { a: 2 }] }, false],
  ];
  for (const [name, input, refused] of cases) {
    it(name, () => {
      const check = (): void => validateInput("CreateLogGroupRequest", input, logsModel, "types");
      if (refused) assert.throws(check, { code: "Serialization" });
      else assert.doesNotThrow(check);
    });
  }
});
