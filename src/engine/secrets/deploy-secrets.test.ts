import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EngineFixture } from "../../../test/support/engine-fixture.js";
import { role, roleDirectory } from "../../../test/support/iam-fakes.js";
import { ScriptedRuntimeDriver } from "../../../test/support/scripted-driver.js";
import type { ParameterValueReader, SecretValueReader } from "../../domain/runtime-secrets.js";
import type { ServiceRow } from "../../domain/service-record.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Principal } from "../../iam/principal.js";
import { createRuntimeSecretResolver, jsonKeyOf } from "./resolver.js";
import { secretReferencesOf } from "./deployment-secrets.js";

const D0 = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
const TASKS = "tasks.apprunner.amazonaws.com";
const trusting = (service: string): unknown => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const READER = role("app-reader", trusting(TASKS));
const NO_READ = role("app-no-read", trusting(TASKS));
const NOT_TASKS = role("build-only", trusting("build.apprunner.amazonaws.com"));
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
const PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key";

/**
 * Secrets Manager and Parameter Store as their readers behave: only a role session of READER may
 * read; unknown ids are not found. Values are unusual strings, so a grep finds any copy.
 */
class FakeStores implements SecretValueReader, ParameterValueReader {
  password = "pw-Zq8sVx1!first";
  readonly reads: { principal: string; ref: string }[] = [];
  private allow(principal: Principal, action: string, resource: string): void {
    this.reads.push({ principal: principal.arn, ref: resource });
    if (principal.role?.arn !== READER.arn) {
      throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
    }
  }
  secretString(principal: Principal, ref: { secretId: string; versionStage?: string }): string {
    this.allow(principal, "secretsmanager:GetSecretValue", ref.secretId);
    if (ref.secretId === SECRET) return JSON.stringify({ username: "admin-Qk2u", password: this.password });
    throw new AppRunnerError("ResourceNotFound", "Secrets Manager can't find the specified secret.");
  }
  parameterValue(principal: Principal, ref: { name: string }): string {
    this.allow(principal, "ssm:GetParameters", ref.name);
    if (ref.name === PARAM || ref.name === "/app/api-key") return "key-Wm3pYt7#param";
    throw new AppRunnerError("ParameterNotFound", `Parameter ${ref.name} not found.`);
  }
}

/** Every byte under the fixture's directory (the store and the log store with their WALs). */
function filesOf(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString("latin1"))
    .join("\n");
}

describe("the deploy phase reads a version's secrets with the instance role and hands the values to the driver only", () => {
  let fx: EngineFixture;
  let stores: FakeStores;
  beforeEach(() => {
    fx = new EngineFixture();
    stores = new FakeStores();
  });
  afterEach(async () => fx.close());

  const resolver = () =>
    createRuntimeSecretResolver({ roles: roleDirectory([READER, NO_READ, NOT_TASKS]), clock: fx.clock, accountId: "123456789012", secrets: stores, parameters: stores });

  /** A service whose image configuration references secrets, run as `roleArn`. */
  function service(roleArn: string | undefined, references: Record<string, string>, serving: string | null = null): ServiceRow {
    const s = fx.service("OPERATION_IN_PROGRESS", serving);
    const image = s.doc.SourceConfiguration?.ImageRepository;
    s.doc = {
      ...s.doc,
      SourceConfiguration: { ...s.doc.SourceConfiguration, ImageRepository: { ...image, ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: { LOG_LEVEL: "info" }, RuntimeEnvironmentSecrets: references } } },
      InstanceConfiguration: { ...s.doc.InstanceConfiguration, ...(roleArn ? { InstanceRoleArn: roleArn } : {}) },
    } as ServiceRow["doc"];
    fx.store.resources.update(s);
    return fx.current(s);
  }

  it("a secret, a JSON key of it and a parameter reach the driver's spec; the store, the logs and the operation hold only references", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = service(READER.arn, { DB_PASSWORD: SECRET, DB_USER: `${SECRET}:username::`, API_KEY: "/app/api-key" });
    const op = fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver, {}, driver.artifacts, resolver());
    engine.start();
    await engine.idle();
    assert.equal(fx.op(op.id).status, "SUCCEEDED", fx.op(op.id).state.error);
    assert.deepEqual(driver.specs[0]?.secrets, { DB_PASSWORD: JSON.stringify({ username: "admin-Qk2u", password: stores.password }), DB_USER: "admin-Qk2u", API_KEY: "key-Wm3pYt7#param" });
    assert.deepEqual(driver.specs[0]?.run.RuntimeEnvironmentSecrets, { DB_PASSWORD: SECRET, DB_USER: `${SECRET}:username::`, API_KEY: "/app/api-key" }, "the run configuration keeps the references");
    assert.deepEqual(new Set(stores.reads.map((r) => r.principal)), new Set([`arn:aws:sts::123456789012:assumed-role/app-reader/${s.doc.ServiceId}`]), "read as the instance role's session");
    const log = fx.deploymentLog(s, op.id);
    assert.ok(log.includes(`[AppRunner] Reading 3 secrets (DB_PASSWORD, DB_USER, API_KEY) with the instance role ${READER.arn}.`), log.join("\n"));
    await engine.stop();
    fx.store.close();
    fx.logs.close();
    const bytes = filesOf(fx.dir);
    for (const value of ["pw-Zq8sVx1!first", "admin-Qk2u", "key-Wm3pYt7#param"]) assert.ok(!bytes.includes(value), `${value} is written somewhere under the data directory`);
    assert.ok(!fx.logged.join("\n").includes("Zq8sVx1"), "nor in the server log");
  });

  it("a denied read fails the update with the variable, the reference and the reason; nothing new reaches the driver and the old version keeps serving", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = service(NO_READ.arn, { DB_PASSWORD: SECRET }, D0);
    const op = fx.operation(s, "UPDATE_SERVICE");
    const engine = fx.engine(driver, {}, driver.artifacts, resolver());
    engine.start();
    await engine.idle();
    const done = fx.op(op.id);
    assert.equal(done.status, "ROLLBACK_SUCCEEDED");
    assert.equal(fx.current(s).status, "RUNNING");
    assert.equal(
      done.state.error,
      `The secret DB_PASSWORD (${SECRET}) could not be read: User: arn:aws:sts::123456789012:assumed-role/app-no-read/${s.doc.ServiceId} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action.`,
    );
    assert.deepEqual(driver.specs, [], "the driver never saw the new version");
    assert.deepEqual(driver.calls.map((c) => c.split(":")[0]), ["retire", "shiftTraffic"], "traffic stays on (goes back to) the old version");
    assert.equal(driver.calls[1], `shiftTraffic:${D0}`);
    assert.match(fx.deploymentLog(s, op.id).at(-1) ?? "", /failed\. Failure reason : The secret DB_PASSWORD .* not authorized to perform: secretsmanager:GetSecretValue/);
  });

  const failures: [name: string, roleArn: string | undefined, references: Record<string, string>, reason: RegExp][] = [
    ["no instance role", undefined, { DB_PASSWORD: SECRET }, /^The secret DB_PASSWORD \(arn:.*\) could not be read: the service has no instance role to read its secrets with; set InstanceConfiguration\.InstanceRoleArn/],
    ["a role that does not trust tasks.apprunner.amazonaws.com", NOT_TASKS.arn, { DB_PASSWORD: SECRET }, /could not be read: the instance role arn:aws:iam::123456789012:role\/build-only cannot be used \(.*trust policy does not allow the service/],
    ["a secret that does not exist", READER.arn, { X: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf" }, /^The secret X \(arn:aws:secretsmanager:.*:secret:gone-AbCdEf\) could not be read: Secrets Manager can't find the specified secret\.$/],
    ["a parameter that does not exist", READER.arn, { P: "/nope" }, /^The secret P \(\/nope\) could not be read: Parameter \/nope not found\.$/],
    ["a JSON key the secret does not have", READER.arn, { K: `${SECRET}:token::` }, /^The secret K \(.*:token::\) could not be read: the secret's JSON has no key token\.$/],
  ];
  for (const [name, roleArn, references, reason] of failures) {
    it(`${name}: the creation fails with the reason`, async () => {
      const driver = new ScriptedRuntimeDriver();
      const s = service(roleArn, references);
      const op = fx.operation(s, "CREATE_SERVICE");
      const engine = fx.engine(driver, {}, driver.artifacts, resolver());
      engine.start();
      await engine.idle();
      assert.equal(fx.op(op.id).status, "FAILED");
      assert.equal(fx.current(s).status, "CREATE_FAILED");
      assert.match(fx.op(op.id).state.error ?? "", reason);
      assert.deepEqual(driver.specs, []);
    });
  }

  it("each deployment reads again: a rotated secret reaches the next StartDeployment", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = service(READER.arn, { DB_USER: `${SECRET}:password::` }, D0);
    const engine = fx.engine(driver, {}, driver.artifacts, resolver());
    engine.start();
    fx.operation(s, "START_DEPLOYMENT");
    await engine.idle();
    stores.password = "pw-rotated-Hn4c";
    fx.operation(s, "START_DEPLOYMENT");
    await engine.idle();
    assert.deepEqual(driver.specs.map((spec) => spec.secrets?.DB_USER), ["pw-Zq8sVx1!first", "pw-rotated-Hn4c"]);
  });

  it("a deployment without secrets reads nothing, and needs no instance role", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service();
    fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver, {}, driver.artifacts, resolver());
    engine.start();
    await engine.idle();
    assert.equal(driver.specs[0]?.secrets, undefined);
    assert.deepEqual(stores.reads, []);
  });
});

describe("secretReferencesOf and jsonKeyOf (pure)", () => {
  it("an image service's references are its ImageConfiguration's; a code service's its built artifact's", () => {
    const image = { SourceConfiguration: { ImageRepository: { ImageIdentifier: "x", ImageRepositoryType: "ECR_PUBLIC" as const, ImageConfiguration: { RuntimeEnvironmentSecrets: { A: "/a" } } } } };
    const code = { SourceConfiguration: { CodeRepository: { RepositoryUrl: "https://git.example/x", SourceCodeVersion: { Type: "BRANCH" as const, Value: "main" } } } };
    assert.deepEqual(secretReferencesOf(image, { secrets: { B: "/b" } }), { A: "/a" });
    assert.deepEqual(secretReferencesOf(code, { secrets: { B: "/b" } }), { B: "/b" });
    assert.deepEqual(secretReferencesOf(code, {}), {});
  });

  it("a JSON key: strings as they are, other JSON as text; never the value in a reason", () => {
    const table: [string, string, string | RegExp][] = [
      [`{"u":"admin"}`, "u", "admin"],
      [`{"n":5432}`, "n", "5432"],
      [`{"o":{"a":1}}`, "o", `{"a":1}`],
      [`{"u":"admin"}`, "p", /^the secret's JSON has no key p$/],
      [`s3cr3t-value`, "u", /^the secret's value is not JSON, so it has no key u$/],
      [`["s3cr3t-value"]`, "u", /^the secret's value is not a JSON object/],
    ];
    for (const [text, key, want] of table) {
      const got = jsonKeyOf(text, key);
      if (typeof want === "string") assert.deepEqual(got, { ok: true, value: want });
      else {
        assert.equal(got.ok, false);
        if (!got.ok) {
          assert.match(got.reason, want);
          assert.ok(!got.reason.includes("s3cr3t"));
        }
      }
    }
  });
});
