import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer, AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { Store } from "../store/store.js";
import { KeyServiceSpy, TestKeys } from "../../test/support/test-keys.js";
import { Parameters } from "./parameters.js";
import { parameterReader } from "./reader.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";

const PLACE = { region: "us-east-1", accountId: "123456789012" };
const ROLE: Principal = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE22",
  accountId: PLACE.accountId,
  arn: "arn:aws:sts::123456789012:assumed-role/app-instance/i-1",
  type: "AssumedRole",
};
const CALL = { sourceIp: "", secureTransport: false, time: 0 };

/** Allows what `allowed` holds (`action resource`), refuses the rest in IAM's words. */
function authorizer(allowed: Set<string>, asked: AuthorizationRequest[]): Authorizer {
  return {
    authorize: (principal, requests) => {
      for (const r of requests) {
        asked.push(r);
        if (!allowed.has(`${r.action} ${r.resource}`)) throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: ${r.action} on resource: ${r.resource}`);
      }
    },
    decide: () => "Allow" as never,
  };
}

function setup(): { store: Store; keys: TestKeys; kms: KeyServiceSpy; parameters: Parameters; put(name: string, type: string, value: string, keyRef?: string): void } {
  const store = Store.open(":memory:");
  const keys = new TestKeys(store);
  const kms = new KeyServiceSpy(keys.service);
  const parameters = new Parameters({ store, keys: kms, place: PLACE });
  const put = (name: string, type: string, value: string, keyRef?: string): void => {
    const version = (store.parameters.latest(name)?.version ?? 0) + 1;
    const stored = parameters.seal(name, version, type, value, keyRef, ROLE, CALL);
    store.parameters.putVersion({ name, version, type, keyId: keyRef, description: undefined, allowedPattern: undefined, tier: "Standard", dataType: "text", value: stored, modifiedAt: 0, modifiedUser: "me" });
  };
  return { store, keys, kms, parameters, put };
}

const ARN = "arn:aws:ssm:us-east-1:123456789012:parameter";

describe("the reader deployments resolve parameters with", () => {
  it("reads a name, a path, an ARN and a selector after ssm:GetParameters on the parameter's ARN", () => {
    const { store, parameters, put } = setup();
    put("/app/db/password", "SecureString", "pw-1");
    put("/app/db/password", "SecureString", "pw-2");
    put("single", "String", "plain");
    const asked: AuthorizationRequest[] = [];
    const reader = parameterReader({ parameters, authorizer: authorizer(new Set([`ssm:GetParameters ${ARN}/app/db/password`, `ssm:GetParameters ${ARN}/single`]), asked), clock: new ManualClock(0), random: new SeededRandom(1) });
    assert.equal(reader.parameterValue(ROLE, { name: "/app/db/password" }, CALL), "pw-2");
    assert.equal(reader.parameterValue(ROLE, { name: `${ARN}/app/db/password` }, CALL), "pw-2");
    assert.equal(reader.parameterValue(ROLE, { name: "/app/db/password:1" }, CALL), "pw-1");
    assert.equal(reader.parameterValue(ROLE, { name: "/single" }, CALL), "plain");
    assert.equal(reader.parameterValue(ROLE, { name: `${ARN}/single` }, CALL), "plain");
    assert.deepEqual(new Set(asked.map((r) => `${r.action} ${r.resource}`)), new Set([`ssm:GetParameters ${ARN}/app/db/password`, `ssm:GetParameters ${ARN}/single`]));
    store.close();
  });

  it("clear errors: not found names the parameter, a denied read is AccessDenied before anything is read, KMS's refusal of a disabled key", () => {
    const { store, keys, kms, parameters, put } = setup();
    const key = keys.createKey();
    put("/app/token", "SecureString", "t", key.keyId);
    const reader = parameterReader({ parameters, authorizer: authorizer(new Set([`ssm:GetParameters ${ARN}/app/token`, `ssm:GetParameters ${ARN}/app/none`]), []), clock: new ManualClock(0), random: new SeededRandom(1) });
    assert.throws(() => reader.parameterValue(ROLE, { name: "/app/none" }, CALL), { code: "ParameterNotFound", message: /\/app\/none/ });
    assert.throws(() => reader.parameterValue(ROLE, { name: "/app/other" }, CALL), { code: "AccessDenied", message: /ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter\/app\/other/ });
    kms.refused.add(ROLE.arn);
    assert.throws(() => reader.parameterValue(ROLE, { name: "/app/token" }, CALL), { code: "AccessDenied", message: /kms:Decrypt/ });
    kms.refused.clear();
    keys.setState(key.keyId, "Disabled");
    assert.throws(() => reader.parameterValue(ROLE, { name: "/app/token" }, CALL), { code: "KmsDisabled" });
    keys.setState(key.keyId, "Enabled");
    assert.equal(reader.parameterValue(ROLE, { name: "/app/token" }, CALL), "t");
    store.close();
  });
});

describe("values at rest", () => {
  it("a SecureString is only an envelope under its key bound to PARAMETER_ARN; a String is sealed, bound to its name and version", () => {
    const { store, keys, kms, parameters, put } = setup();
    put("/app/secure", "SecureString", "top-secret-value");
    put("/app/plain", "String", "plain-value-xyz");
    const rows = store.db.prepare(`SELECT name, version, value FROM ssm_parameter_versions`).all() as { name: string; version: number; value: string }[];
    for (const r of rows) {
      assert.ok(!r.value.includes("top-secret-value") && !r.value.includes("plain-value-xyz"), r.value);
      assert.ok(!r.value.includes(Buffer.from("top-secret-value").toString("base64")));
    }
    const secure = store.parameters.latest("/app/secure");
    assert.ok(secure && "envelope" in secure.value);
    assert.equal(secure.value.envelope.keyArn, keys.service.managedKey("aws/ssm").arn, "the AWS managed aws/ssm made on first use");
    // Another parameter's context does not open it.
    assert.throws(() => parameters.plaintext({ ...secure, name: "/app/other" }, ROLE, CALL), { code: "KmsInvalidCiphertext" });
    const plain = store.parameters.latest("/app/plain");
    assert.ok(plain && "sealed" in plain.value);
    assert.throws(() => parameters.plaintext({ ...plain, version: 2 }, ROLE, CALL), /does not open/);
    assert.ok(!kms.uses.length, "the AWS managed key asks no kms permission of the caller");
    store.close();
  });
});
