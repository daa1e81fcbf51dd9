import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { OperationType } from "../store/operations.js";
import type { ServiceRow, ServiceStatus } from "./service-record.js";
import { assertCanStart, checkSourceConfiguration } from "./service-rules.js";
import { detachedService } from "../../test/support/service-fixture.js";

const service = (status: ServiceStatus): ServiceRow => detachedService(status);

type Row = [status: ServiceStatus, type: OperationType, busy: boolean, deleting: boolean, outcome: "ok" | RegExp];

const BUSY = /another operation is in progress/;
const STATE = (s: string): RegExp => new RegExp(`in its current state: ${s}\\.`);

const TABLE: Row[] = [
  // Update: from RUNNING, and from CREATE_FAILED to fix a failed creation.
  ["RUNNING", "UPDATE_SERVICE", false, false, "ok"],
  ["CREATE_FAILED", "UPDATE_SERVICE", false, false, "ok"],
  ["PAUSED", "UPDATE_SERVICE", false, false, /current state: PAUSED\. Resume the service first\./],
  ["DELETE_FAILED", "UPDATE_SERVICE", false, false, STATE("DELETE_FAILED")],
  ["DELETED", "UPDATE_SERVICE", false, false, STATE("DELETED")],
  ["RUNNING", "UPDATE_SERVICE", true, false, BUSY],
  ["OPERATION_IN_PROGRESS", "UPDATE_SERVICE", false, false, BUSY],
  // Manual deployment and pause: only a running service.
  ["RUNNING", "START_DEPLOYMENT", false, false, "ok"],
  ["PAUSED", "START_DEPLOYMENT", false, false, /Resume the service first/],
  ["CREATE_FAILED", "START_DEPLOYMENT", false, false, STATE("CREATE_FAILED")],
  ["RUNNING", "START_DEPLOYMENT", true, false, BUSY],
  ["RUNNING", "PAUSE_SERVICE", false, false, "ok"],
  ["PAUSED", "PAUSE_SERVICE", false, false, STATE("PAUSED")],
  ["CREATE_FAILED", "PAUSE_SERVICE", false, false, STATE("CREATE_FAILED")],
  ["OPERATION_IN_PROGRESS", "PAUSE_SERVICE", true, false, BUSY],
  // Resume: only a paused service.
  ["PAUSED", "RESUME_SERVICE", false, false, "ok"],
  ["RUNNING", "RESUME_SERVICE", false, false, STATE("RUNNING")],
  ["DELETE_FAILED", "RESUME_SERVICE", false, false, STATE("DELETE_FAILED")],
  ["PAUSED", "RESUME_SERVICE", true, false, BUSY],
  // Delete: always, even while another operation runs, but only once at a time.
  ["RUNNING", "DELETE_SERVICE", false, false, "ok"],
  ["PAUSED", "DELETE_SERVICE", false, false, "ok"],
  ["CREATE_FAILED", "DELETE_SERVICE", false, false, "ok"],
  ["DELETE_FAILED", "DELETE_SERVICE", false, false, "ok"],
  ["OPERATION_IN_PROGRESS", "DELETE_SERVICE", true, false, "ok"],
  ["OPERATION_IN_PROGRESS", "DELETE_SERVICE", true, true, /already being deleted/],
  // Creation is never an operation on an existing service.
  ["RUNNING", "CREATE_SERVICE", false, false, STATE("RUNNING")],
];

describe("assertCanStart", () => {
  for (const [status, type, busy, deleting, outcome] of TABLE) {
    it(`${type} on ${status}${busy ? ", busy" : ""}${deleting ? ", deleting" : ""}: ${outcome === "ok" ? "allowed" : "InvalidState"}`, () => {
      const run = (): void => assertCanStart(service(status), type, busy, deleting);
      if (outcome === "ok") {
        assert.doesNotThrow(run);
        return;
      }
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof AppRunnerError);
        assert.equal(err.awsType, "InvalidStateException");
        assert.equal(err.httpStatus, 400);
        assert.match(err.message, outcome);
        return true;
      });
    });
  }
});

describe("checkSourceConfiguration: an ECR image needs an access role, as on App Runner", () => {
  const image = (type: "ECR" | "ECR_PUBLIC") => ({ ImageIdentifier: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", ImageRepositoryType: type });
  const role = { AccessRoleArn: "arn:aws:iam::123456789012:role/AppRunnerECRAccessRole" };
  const cases: [string, Parameters<typeof checkSourceConfiguration>[0], "ok" | RegExp][] = [
    ["ECR with an access role", { ImageRepository: image("ECR"), AuthenticationConfiguration: role }, "ok"],
    ["ECR without one", { ImageRepository: image("ECR") }, /An ECR image repository needs an access role: set SourceConfiguration\.AuthenticationConfiguration\.AccessRoleArn/],
    ["ECR with only a connection", { ImageRepository: image("ECR"), AuthenticationConfiguration: { ConnectionArn: "arn:aws:apprunner:us-east-1:123456789012:connection/c/1" } }, /needs an access role/],
    ["ECR Public without one", { ImageRepository: image("ECR_PUBLIC") }, "ok"],
  ];
  for (const [name, src, outcome] of cases) {
    it(name, () => {
      if (outcome === "ok") checkSourceConfiguration(src);
      else assert.throws(() => checkSourceConfiguration(src), (err: unknown) => err instanceof AppRunnerError && err.code === "InvalidRequest" && outcome.test(err.message));
    });
  }
});

describe("checkSourceConfiguration: RuntimeEnvironmentSecrets are references App Runner can read", () => {
  const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
  type Src = Parameters<typeof checkSourceConfiguration>[0];
  const image = (cfg: Record<string, unknown>): Src => ({ ImageRepository: { ImageIdentifier: "public.ecr.aws/x/app:v1", ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: cfg } });
  const code = (values: Record<string, unknown>): Src => ({
    CodeRepository: {
      RepositoryUrl: "https://github.com/x/app",
      SourceCodeVersion: { Type: "BRANCH", Value: "main" },
      CodeConfiguration: { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: "NODEJS_18", ...values } },
    },
  }) as Src;
  const cases: [string, Src, "ok" | RegExp][] = [
    ["a secret, a JSON key and a parameter", image({ RuntimeEnvironmentSecrets: { A: secret, B: `${secret}:username::`, C: "/app/c" } }), "ok"],
    ["a bad reference names its variable", image({ RuntimeEnvironmentSecrets: { DB: "arn:aws:s3:us-east-1:123456789012:b" } }), /ImageConfiguration\.RuntimeEnvironmentSecrets is not valid \(DB: the reference of DB is an ARN of s3/],
    ["a name also set in clear", image({ RuntimeEnvironmentVariables: { DB: "x" }, RuntimeEnvironmentSecrets: { DB: secret } }), /DB: DB is also a plain environment variable/],
    ["PORT", image({ RuntimeEnvironmentSecrets: { PORT: secret } }), /PORT is reserved/],
    ["App Runner's prefix", code({ RuntimeEnvironmentSecrets: { AWSAPPRUNNER_X: secret } }), /CodeConfigurationValues\.RuntimeEnvironmentSecrets is not valid \(AWSAPPRUNNER_X: .*prefix AWSAPPRUNNER/],
    ["a code service's JSON key with too few parts", code({ RuntimeEnvironmentSecrets: { U: `${secret}:username` } }), /U: the reference of U has 1 part/],
  ];
  for (const [name, src, outcome] of cases) {
    it(name, () => {
      if (outcome === "ok") checkSourceConfiguration(src);
      else assert.throws(() => checkSourceConfiguration(src), (err: unknown) => err instanceof AppRunnerError && err.code === "InvalidRequest" && outcome.test(err.message));
    });
  }
});
