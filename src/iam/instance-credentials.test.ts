import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../util/clock.js";
import {
  containerCredentialsBody,
  INSTANCE_ROLE_SERVICE,
  InstanceCredentials,
  instanceCredentialsToken,
  instanceRoleEnvironment,
  REFRESH_BEFORE_MS,
  stillFresh,
} from "./instance-credentials.js";
import type { RoleSessions, TemporaryCredentials } from "./sessions.js";

const key = Buffer.alloc(32, 7);
const ROLE = "arn:aws:iam::123456789012:role/app";

/** Issues numbered credentials for the requested duration and records each request. */
function sessions(clock: ManualClock): RoleSessions & { calls: Parameters<RoleSessions["assumeForService"]>[0][] } {
  const calls: Parameters<RoleSessions["assumeForService"]>[0][] = [];
  return {
    calls,
    assumeForService(input) {
      calls.push(input);
      return { accessKeyId: `ASIA${calls.length}`, secretAccessKey: "s", sessionToken: "t", expiration: clock.now() + input.durationSeconds * 1000 };
    },
  };
}

test("instanceRoleEnvironment: the SDKs' container credential variables at the instance's gateway, its own token, the API there too", () => {
  const env = instanceRoleEnvironment({ key, instanceId: "abc123", gateway: "127.202.0.5", region: "eu-west-1" });
  assert.deepEqual(env, {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.202.0.5/openrunner/instance-credentials/abc123",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: instanceCredentialsToken(key, "abc123"),
    AWS_ENDPOINT_URL: "http://127.202.0.5",
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1",
  });
  assert.match(env.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? "", /^[0-9a-f]{64}$/);
  assert.notEqual(instanceCredentialsToken(key, "abc124"), env.AWS_CONTAINER_AUTHORIZATION_TOKEN, "one token per instance");
  assert.notEqual(instanceCredentialsToken(Buffer.alloc(32, 8), "abc123"), env.AWS_CONTAINER_AUTHORIZATION_TOKEN, "one key per data directory");
});

test("stillFresh: handed out only with more than REFRESH_BEFORE_MS left", () => {
  const c = (expiration: number): TemporaryCredentials => ({ accessKeyId: "A", secretAccessKey: "s", sessionToken: "t", expiration });
  const cases: [number, boolean][] = [
    [REFRESH_BEFORE_MS + 1, true],
    [REFRESH_BEFORE_MS, false],
    [60_000, false],
    [-1, false],
  ];
  for (const [left, fresh] of cases) assert.equal(stillFresh(c(1_000_000 + left), 1_000_000), fresh, String(left));
  assert.deepEqual(containerCredentialsBody(c(Date.UTC(2026, 0, 1, 1))), { AccessKeyId: "A", SecretAccessKey: "s", Token: "t", Expiration: "2026-01-01T01:00:00.000Z" });
});

test("InstanceCredentials: a role session for tasks.apprunner.amazonaws.com per instance, cached until 30 minutes are left", () => {
  const clock = new ManualClock();
  const sts = sessions(clock);
  const issuer = new InstanceCredentials({ roleSessions: sts, roleOf: (id) => (id === "i1" || id === "i2" ? ROLE : undefined), key, clock });
  const token = (id: string): string => instanceCredentialsToken(key, id);
  const first = issuer.credentialsFor("i1", token("i1"));
  assert.deepEqual(sts.calls, [{ roleArn: ROLE, service: INSTANCE_ROLE_SERVICE, sessionName: "i1", durationSeconds: 3600 }]);
  clock.advance(29 * 60_000);
  assert.equal(issuer.credentialsFor("i1", token("i1")), first, "29 minutes in: the same session");
  clock.advance(60_000 + 1);
  const second = issuer.credentialsFor("i1", token("i1"));
  assert.notEqual(second.accessKeyId, first.accessKeyId, "30 minutes left: a new session");
  assert.ok(second.expiration - clock.now() >= 3600_000 - 1);
  assert.equal(issuer.credentialsFor("i2", token("i2")).accessKeyId, "ASIA3", "another instance: its own session");
  assert.equal(sts.calls.length, 3);
});

test("InstanceCredentials: a wrong token, another instance's token, an instance without a role, and no STS are refused", () => {
  const clock = new ManualClock();
  const sts = sessions(clock);
  const issuer = new InstanceCredentials({ roleSessions: sts, roleOf: (id) => (id === "i1" ? ROLE : undefined), key, clock });
  for (const given of [undefined, "", "nope", instanceCredentialsToken(key, "i2"), `Bearer ${instanceCredentialsToken(key, "i1")}`]) {
    assert.throws(() => issuer.credentialsFor("i1", given), { code: "AccessDenied" }, String(given));
  }
  assert.throws(() => issuer.credentialsFor("gone", instanceCredentialsToken(key, "gone")), { code: "ResourceNotFound" });
  assert.equal(sts.calls.length, 0);
  const without = new InstanceCredentials({ roleOf: () => ROLE, key, clock });
  assert.throws(() => without.credentialsFor("i1", instanceCredentialsToken(key, "i1")), /no role sessions/);
  const refusing = new InstanceCredentials({
    roleSessions: {
      assumeForService: () => {
        throw Object.assign(new Error("x"), { code: "AccessDenied" });
      },
    },
    roleOf: () => ROLE,
    key,
    clock,
  });
  assert.throws(() => refusing.credentialsFor("i1", instanceCredentialsToken(key, "i1")), { code: "AccessDenied" });
});
