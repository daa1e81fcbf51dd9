import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ecrApi } from "../ecr/ecr-api.js";
import type { RepositoryStore } from "../ecr/repository-store.js";
import type { BuiltInRegistry, RegistryPasswords } from "../registry/types.js";
import { cloudTrailApis } from "../telemetry/audit/cloudtrail-api.js";
import type { TrailStore } from "../telemetry/audit/trail-store.js";
import { eventBridgeApi } from "../telemetry/events/api/api.js";
import type { EventsDb } from "../telemetry/events/store/events-db.js";
import { logsApi } from "../telemetry/logs/api/logs-api.js";
import type { LogStore } from "../telemetry/logs/store/log-store.js";
import { cloudWatchJsonApi, cloudWatchOperations } from "../telemetry/metrics/api/cloudwatch-api.js";
import type { MetricsStore } from "../telemetry/metrics/store/metrics-store.js";
import { ManualClock } from "../util/clock.js";
import { appRunnerApi } from "./apprunner-api.js";
import { iamApi } from "../iam-api/iam-api.js";
import type { Store } from "../store/store.js";
import { openRunnerApi } from "./openrunner/complete-handshake.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";

/** Handlers only touch their stores when called; listing operations never does. */
const unused = <T>(): T => ({}) as T;

const APIS: AwsJsonApi[] = [
  appRunnerApi,
  openRunnerApi(unused),
  logsApi(unused<LogStore>()),
  eventBridgeApi({ db: unused<EventsDb>(), wake: () => undefined }),
  cloudWatchJsonApi(cloudWatchOperations(unused<MetricsStore>(), new ManualClock(0))),
  ...cloudTrailApis({ store: unused<TrailStore>(), clock: new ManualClock(0), retentionDays: 90, flush: () => undefined }),
  iamApi(unused<Store>(), "123456789012"),
  ecrApi({ repositories: unused<RepositoryStore>(), registry: unused<BuiltInRegistry>(), passwords: unused<RegistryPasswords>(), lifecyclePolicyChanged: () => undefined }),
];

describe("every API is checked against a model of exactly what it serves", () => {
  for (const api of APIS) {
    it(api.targetPrefix, () => {
      assert.ok(api.model, "a model (scripts/extract-models.py writes the missing ones)");
      assert.deepEqual(Object.keys(api.operations).sort(), Object.keys(api.model.operations).sort());
      assert.equal(api.model.metadata.signingName, api.signingName);
    });
  }
});
