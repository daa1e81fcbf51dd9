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
import { authorizationRequestsOf, type AwsJsonApi } from "../protocol/service-registry.js";
import { secretsManagerApi } from "../secrets-manager/secrets-manager-api.js";
import type { SecretStore } from "../store/secrets/secret-store.js";
import { ssmApi } from "../ssm/ssm-api.js";
import type { Parameters } from "../ssm/parameters.js";

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
  secretsManagerApi({ secrets: unused<SecretStore>(), keys: undefined, logger: () => undefined }),
  ssmApi({ parameters: unused<Parameters>() }),
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

describe("every API names its calls with IAM's service prefix", () => {
  const principal = { accessKeyId: "AKIAEXAMPLEEXAMPLE22", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", type: "IAMUser" } as const;
  const PREFIXES: Record<string, string> = {
    AppRunner: "apprunner",
    OpenRunner: "apprunner",
    // Logs, EventBridge and ECR name their resources' ARNs with the region: their modules attach the mapping (logsAuthorization, ...).
    Logs_20140328: "logs",
    AWSEvents: "events",
    GraniteServiceVersion20100801: "cloudwatch",
    CloudTrail_20131101: "cloudtrail",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
    AmazonEC2ContainerRegistry_V20150921: "ecr",
    AWSIdentityManagementV20100508: "iam",
    secretsmanager: "secretsmanager",
    AmazonSSM: "ssm",
  };
  for (const api of APIS) {
    it(api.targetPrefix, () => {
      const prefix = PREFIXES[api.targetPrefix];
      assert.ok(prefix, `an IAM prefix for ${api.targetPrefix}`);
      for (const op of Object.keys(api.operations)) {
        const requests = authorizationRequestsOf(api, op, {}, principal);
        assert.ok(requests.length > 0);
        assert.equal(requests[0]?.action, `${prefix}:${op}`);
      }
    });
  }

  it("CloudWatch and CloudTrail act on *: metrics and the event history have no ARNs", () => {
    for (const api of APIS.filter((a) => a.signingName === "monitoring" || a.signingName === "cloudtrail")) {
      for (const op of Object.keys(api.operations)) assert.deepEqual(authorizationRequestsOf(api, op, {}, principal), [{ action: `${PREFIXES[api.targetPrefix] ?? ""}:${op}`, resource: "*" }]);
    }
  });
});
