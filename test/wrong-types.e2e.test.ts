import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openRunnerModel } from "../src/api/openrunner/model.js";
import { ecrModule } from "../src/ecr/module.js";
import { appRunnerModel, cloudTrailModel, cloudWatchModel, ecrModel, eventsModel, kmsModel, logsModel, secretsManagerModel, ssmModel, type ServiceModel } from "../src/model/model.js";
import { DEFAULT_MODULES } from "../src/server.js";
import { awsJsonCall, type JsonApiName } from "./support/aws-json-call.js";
import { FakeRegistry } from "./support/fake-registry.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { wrongTypeCases } from "./support/wrong-types.js";

const MODELS: [JsonApiName, ServiceModel][] = [
  ["apprunner", appRunnerModel],
  ["openrunner", openRunnerModel],
  ["logs", logsModel],
  ["events", eventsModel],
  ["cloudwatch", cloudWatchModel],
  ["cloudtrail", cloudTrailModel],
  ["ecr", ecrModel],
  ["secretsmanager", secretsManagerModel],
  ["ssm", ssmModel],
  ["kms", kmsModel],
];
/** Requests in flight at once: enough to be quick, few enough for a shared 2-core machine. */
const PARALLEL = 8;

describe("a member of the wrong JSON type is a SerializationException, before anything else (generated from each API's model)", () => {
  let server: InProcessServer;
  before(async () => {
    // ECR over an in-memory registry until the built-in one is among the default modules.
    const registry = new FakeRegistry();
    server = await startInProcess({ modules: [...DEFAULT_MODULES, ecrModule(registry, registry, { lifecycleSweepMs: 0 })] });
  });
  after(async () => server.close());

  for (const [api, model] of MODELS) {
    it(`${api}: every member of every operation`, async (t) => {
      const cases = [...wrongTypeCases(model)];
      const wrong: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let c = cases[next++]; c !== undefined; c = cases[next++]) {
          const a = await awsJsonCall(server.running.endpoint, server.running.rootKey, api, c.operation, JSON.stringify(c.input));
          if (a.status !== 400 || a.type !== "SerializationException") {
            wrong.push(`${c.operation} ${c.path}: ${a.status} ${a.type ?? ""} ${String(a.body.Message ?? a.body.message ?? "").slice(0, 120)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      t.diagnostic(`${cases.length} wrong-typed members over ${Object.keys(model.operations).length} operations`);
      assert.ok(cases.length > Object.keys(model.operations).length, "cases were generated");
      assert.deepEqual(wrong, [], `${wrong.length} of ${cases.length} answered otherwise`);
    });
  }
});
