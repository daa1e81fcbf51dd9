import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCOUNT, role, roleDirectory, SessionList } from "../../test/support/iam-fakes.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";
import { createRoleSessions, servicePrincipal } from "./role-sessions.js";
import { sessionTokenSha256 } from "./temporary-credentials.js";

const NOW = Date.UTC(2026, 11, 5, 20, 0, 0);
const BUILD = "build.apprunner.amazonaws.com";
const TASKS = "tasks.apprunner.amazonaws.com";
const trustService = (service: string): unknown => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const ACCESS_ROLE = role("AppRunnerECRAccessRole", trustService(BUILD));
const INSTANCE_ROLE = role("app-instance", trustService(TASKS), { maxSessionDuration: 7_200 });

function setup(): { sessions: SessionList; roleSessions: ReturnType<typeof createRoleSessions> } {
  const sessions = new SessionList();
  const roleSessions = createRoleSessions({ sessions, roles: roleDirectory([ACCESS_ROLE, INSTANCE_ROLE]), clock: new ManualClock(NOW), random: new SeededRandom(3), accountId: ACCOUNT });
  return { sessions, roleSessions };
}

const denied = (fn: () => unknown, code: "AccessDenied" | "ValidationError", message: RegExp): void =>
  assert.throws(fn, (err: unknown) => err instanceof AppRunnerError && err.code === code && message.test(err.message));

describe("App Runner's own role sessions (assumeForService)", () => {
  it("the instance role for tasks.apprunner.amazonaws.com: credentials of an AssumedRole session", () => {
    const { sessions, roleSessions } = setup();
    const creds = roleSessions.assumeForService({ roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "svc-0123456789abcdef", durationSeconds: 3_600 });
    assert.match(creds.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(creds.expiration, NOW + 3_600_000);
    const kept = sessions.sessions[0]!;
    assert.equal(kept.tokenSha256, sessionTokenSha256(creds.sessionToken));
    assert.equal(kept.secretAccessKey, creds.secretAccessKey);
    assert.equal(kept.principal.type, "AssumedRole");
    assert.equal(kept.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-instance/svc-0123456789abcdef`);
    assert.equal(kept.principal.userId, `${INSTANCE_ROLE.roleId}:svc-0123456789abcdef`);
    assert.deepEqual(kept.principal.role, { arn: INSTANCE_ROLE.arn, name: "app-instance", id: INSTANCE_ROLE.roleId, sessionName: "svc-0123456789abcdef" });
  });

  it("the access role for build.apprunner.amazonaws.com", () => {
    const { roleSessions } = setup();
    assert.match(roleSessions.assumeForService({ roleArn: ACCESS_ROLE.arn, service: BUILD, sessionName: "pull", durationSeconds: 900 }).accessKeyId, /^ASIA/);
  });

  it("refuses a role that does not exist, a bad session name, a duration past the role's maximum", () => {
    const { sessions, roleSessions } = setup();
    denied(() => roleSessions.assumeForService({ roleArn: `arn:aws:iam::${ACCOUNT}:role/ghost`, service: TASKS, sessionName: "s1", durationSeconds: 900 }), "AccessDenied", /tasks\.apprunner\.amazonaws\.com is not authorized to perform: sts:AssumeRole on resource: .*role\/ghost/);
    denied(() => roleSessions.assumeForService({ roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "no spaces", durationSeconds: 900 }), "ValidationError", /roleSessionName/);
    denied(() => roleSessions.assumeForService({ roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "s1", durationSeconds: 7_201 }), "ValidationError", /MaxSessionDuration/);
    denied(() => roleSessions.assumeForService({ roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "s1", durationSeconds: 899 }), "ValidationError", /DurationSeconds/);
    assert.equal(sessions.sessions.length, 0);
  });

  it("refuses a service the trust policy does not name (the access role is not an instance role)", () => {
    const { sessions, roleSessions } = setup();
    denied(() => roleSessions.assumeForService({ roleArn: ACCESS_ROLE.arn, service: TASKS, sessionName: "s1", durationSeconds: 900 }), "AccessDenied", /trust policy does not allow the service/);
    assert.equal(sessions.sessions.length, 0);
  });
});

describe("servicePrincipal: App Runner acting as a role inside the control plane, with no credentials issued", () => {
  const roles = roleDirectory([ACCESS_ROLE, INSTANCE_ROLE]);
  const deps = { roles, clock: new ManualClock(NOW), accountId: ACCOUNT };

  it("the instance role's session, as tasks.apprunner.amazonaws.com would get it", () => {
    const p = servicePrincipal(deps, { roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "0123456789abcdef" });
    assert.equal(p.type, "AssumedRole");
    assert.equal(p.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-instance/0123456789abcdef`);
    assert.equal(p.userId, `${INSTANCE_ROLE.roleId}:0123456789abcdef`);
    assert.deepEqual(p.role, { arn: INSTANCE_ROLE.arn, name: "app-instance", id: INSTANCE_ROLE.roleId, sessionName: "0123456789abcdef" });
    assert.equal(p.accessKeyId, "", "no key: nothing outside signs with it");
  });

  it("refuses what assumeForService refuses: a missing role, a role that does not trust the service, a bad session name", () => {
    denied(() => servicePrincipal(deps, { roleArn: `arn:aws:iam::${ACCOUNT}:role/none`, service: TASKS, sessionName: "s1" }), "AccessDenied", /the role does not exist/);
    denied(() => servicePrincipal(deps, { roleArn: ACCESS_ROLE.arn, service: TASKS, sessionName: "s1" }), "AccessDenied", /trust policy does not allow the service/);
    denied(() => servicePrincipal(deps, { roleArn: INSTANCE_ROLE.arn, service: TASKS, sessionName: "no spaces" }), "ValidationError", /roleSessionName/);
  });
});
