import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ErrorCode } from "../errors/codes.js";
import { createAuthorizer } from "../iam/authorizer.js";
import type { Principal } from "../iam/principal.js";
import { SecretStore } from "../store/secrets/secret-store.js";
import { Store } from "../store/store.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";
import type { ApiCallRecord } from "../protocol/service-registry.js";
import { TestKeys } from "../../test/support/test-keys.js";
import { DAY_MS } from "./deletion.js";
import { secretArn } from "./names.js";
import { secretsManagerReader } from "./reader.js";
import { AWSCURRENT } from "./stages.js";
import { addVersion } from "./versions.js";

const ACCOUNT = "123456789012";
const HERE = { region: "us-east-1", accountId: ACCOUNT };
const ROLE: Principal = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE22",
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-instance/deploy`,
  type: "AssumedRole",
  role: { arn: `arn:aws:iam::${ACCOUNT}:role/app-instance`, name: "app-instance", id: "AROAEXAMPLE", sessionName: "deploy" },
};
const ROOT: Principal = { accessKeyId: "AKIAROOTROOTROOTROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" };

/** A store with secrets written as the API writes them, read as an instance role whose one policy is `statements`. */
function fixture(statements: unknown[]) {
  const store = Store.open(":memory:");
  const secrets = new SecretStore(store.db, HERE.region);
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const keys = new TestKeys();
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: statements });
  const authorizer = createAuthorizer({
    policies: { policiesOf: () => [{ id: "inline:role:secrets", document: policy }], principalTags: () => ({}), revision: () => 1 },
    resourceTags: () => undefined,
    accountId: ACCOUNT,
    region: HERE.region,
  });
  keys.authorizer = authorizer;
  const put = (name: string, value: string | Buffer, kmsKeyId?: string): string => {
    const arn = secretArn(HERE.region, ACCOUNT, name, "Ab12Cd");
    secrets.insert({ arn, name, description: undefined, kmsKeyId, createdAt: clock.now() });
    const secret = secrets.byArn(arn);
    assert.ok(secret);
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    addVersion(secrets, keys.service, { principal: ROOT, call: { sourceIp: "", secureTransport: false, time: clock.now() } }, secret, kmsKeyId, { versionId: `${name}-v1`.padEnd(32, "0"), value: { type: typeof value === "string" ? "SecretString" : "SecretBinary", bytes }, stages: [AWSCURRENT] }, clock.now());
    return arn;
  };
  const recorded: Omit<ApiCallRecord, "api">[] = [];
  const reader = secretsManagerReader({ secrets, keys: keys.service, authorizer, clock, random: new SeededRandom(3), here: HERE, record: (c) => void recorded.push(c) });
  const call = { sourceIp: "127.0.0.1", secureTransport: false, time: clock.now() };
  return { store, secrets, clock, keys, put, recorded, read: (secretId: string, ask: { versionStage?: string; versionId?: string } = {}) => reader.secretString(ROLE, { secretId, ...ask }, call) };
}

describe("the reader deployments resolve RuntimeEnvironmentSecrets with", () => {
  it("reads the AWSCURRENT value as a role allowed secretsmanager:GetSecretValue, by ARN or name", () => {
    const f = fixture([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }]);
    const arn = f.put("db", "p4ss");
    assert.equal(f.read(arn), "p4ss");
    assert.equal(f.read("db"), "p4ss");
    assert.ok(f.secrets.byArn(arn)?.lastAccessedAt !== undefined, "the access is noted");
    // Each read is an audit record of App Runner's GetSecretValue as the role, without the value.
    assert.equal(f.recorded.length, 2);
    assert.deepEqual(
      { ...f.recorded[0], requestId: undefined },
      { operation: "GetSecretValue", requestId: undefined, time: f.clock.now(), sourceIp: "apprunner.amazonaws.com", userAgent: "apprunner.amazonaws.com", accessKeyId: ROLE.accessKeyId, principal: ROLE, input: { SecretId: arn, VersionId: undefined, VersionStage: undefined }, output: undefined, errorCode: undefined, errorMessage: undefined },
    );
    assert.ok(!JSON.stringify(f.recorded).includes("p4ss"));
    f.store.close();
  });

  const REFUSED: [string, unknown[], (f: ReturnType<typeof fixture>) => string, ErrorCode, RegExp][] = [
    ["a role without GetSecretValue", [{ Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "*" }], (f) => f.put("db", "x"), "AccessDenied", /^User: .*assumed-role\/app-instance\/deploy is not authorized to perform: secretsmanager:GetSecretValue/],
    ["an explicit deny", [{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }, { Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" }], (f) => f.put("db", "x"), "AccessDenied", /explicit deny/],
    ["a secret that does not exist", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }], () => "missing", "ResourceNotFound", /^Secrets Manager can't find the specified secret\.$/],
    ["a customer key the role may not decrypt with", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }], (f) => (f.keys.createKey("alias/cmk"), f.put("db", "x", "alias/cmk")), "AccessDenied", /kms:Decrypt/],
    [
      "a disabled customer key",
      [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" }],
      (f) => {
        const key = f.keys.createKey("alias/cmk");
        const arn = f.put("db", "x", "alias/cmk");
        f.keys.setState(key.keyId, "Disabled");
        return arn;
      },
      "KmsDisabled",
      /disabled/,
    ],
    [
      "a secret scheduled for deletion",
      [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
      (f) => {
        const arn = f.put("db", "x");
        f.secrets.setDeletion(arn, f.clock.now(), f.clock.now() + 7 * DAY_MS, f.clock.now());
        return arn;
      },
      "InvalidRequest",
      /scheduled for deletion/,
    ],
    ["a binary secret", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }], (f) => f.put("bin", Buffer.from([1, 2])), "InvalidRequest", /SecretBinary/],
    ["a stage no version has", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }], (f) => f.put("db", "x"), "ResourceNotFound", /staging label: AWSPENDING/],
  ];
  for (const [name, statements, setup, code, message] of REFUSED) {
    it(`refuses ${name}, saying why (the resolver says which secret)`, () => {
      const f = fixture(statements);
      try {
        const id = setup(f);
        assert.throws(() => f.read(id, name.startsWith("a stage") ? { versionStage: "AWSPENDING" } : {}), (err: Error & { code?: string }) => {
          assert.equal(err.code, code);
          assert.match(err.message, message);
          assert.ok(!err.message.startsWith("Secret "), `the resolver names the secret, not the reader too: ${err.message}`);
          return true;
        });
        const last = f.recorded.at(-1);
        assert.equal(last?.errorCode, code === "AccessDenied" ? "AccessDenied" : new AppRunnerError(code, "").awsType);
        assert.match(last?.errorMessage ?? "", message);
      } finally {
        f.store.close();
      }
    });
  }
});
