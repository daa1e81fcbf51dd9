import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCOUNT, policyAuthorizer, role, roleDirectory, SessionList } from "../../test/support/iam-fakes.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ErrorCode } from "../errors/codes.js";
import type { Principal } from "../iam/principal.js";
import { sessionTokenSha256 } from "../iam/temporary-credentials.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";
import { assumeRole, assumeRoleSeconds } from "./assume-role.js";
import { getSessionToken, sessionTokenSeconds } from "./get-session-token.js";
import type { StsCall, StsDeps } from "./operation.js";

const NOW = Date.UTC(2026, 11, 5, 20, 0, 0);
const ROOT: Principal = { accessKeyId: "AKIAROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" };
const ALICE: Principal = { accessKeyId: "AKIAALICE", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, type: "IAMUser", userName: "alice", userId: "AIDAALICE" };
const CHAINED: Principal = {
  accessKeyId: "ASIACHAINED",
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/builder/job`,
  type: "AssumedRole",
  role: { arn: `arn:aws:iam::${ACCOUNT}:role/builder`, name: "builder", id: "AROABUILDER", sessionName: "job" },
  expiresAt: NOW + 600_000,
};
const USER_SESSION: Principal = { ...ALICE, accessKeyId: "ASIAALICE", expiresAt: NOW + 600_000 };

const TRUST_ALICE = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };
const DEPLOY = role("deploy", TRUST_ALICE, { maxSessionDuration: 7_200 });
const NO_TAGS = role("no-tags", { Statement: [{ Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: "sts:AssumeRole" }] });

function setup(identityPolicy: unknown = { Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] }): { deps: StsDeps; sessions: SessionList } {
  const sessions = new SessionList();
  return {
    sessions,
    deps: {
      accountId: ACCOUNT,
      clock: new ManualClock(NOW),
      random: new SeededRandom(7),
      sessions,
      roles: roleDirectory([DEPLOY, NO_TAGS]),
      authorizer: policyAuthorizer(identityPolicy),
    },
  };
}

const call = (principal: Principal, params: Record<string, string>): StsCall => ({
  principal,
  params: new URLSearchParams(params),
  facts: { sourceIp: "127.0.0.1", secureTransport: false, time: NOW },
});

function refused(fn: () => unknown, code: ErrorCode, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppRunnerError, String(err));
    assert.equal(err.code, code, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe("session durations", () => {
  const assume: [string, Principal, number | undefined, number, number | ErrorCode][] = [
    ["a user, default", ALICE, undefined, 3_600, 3_600],
    ["a user, 15 minutes", ALICE, 900, 3_600, 900],
    ["a user, up to the role's maximum", ALICE, 43_200, 43_200, 43_200],
    ["a user, past the role's maximum", ALICE, 3_601, 3_600, "ValidationError"],
    ["role chaining, default", CHAINED, undefined, 43_200, 3_600],
    ["role chaining, an hour", CHAINED, 3_600, 43_200, 3_600],
    ["role chaining, past an hour even if the role allows 12", CHAINED, 3_601, 43_200, "ValidationError"],
  ];
  for (const [name, caller, requested, max, want] of assume) {
    it(`AssumeRole: ${name}`, () => {
      if (typeof want === "number") assert.equal(assumeRoleSeconds(caller, requested, max), want);
      else refused(() => assumeRoleSeconds(caller, requested, max), want, /exceeds the (1 hour session limit for roles assumed by role chaining|MaxSessionDuration set for this role)\.$/);
    });
  }
  const token: [string, Principal, number | undefined, number][] = [
    ["a user, default 12 hours", ALICE, undefined, 43_200],
    ["a user, 36 hours", ALICE, 129_600, 129_600],
    ["root, default an hour", ROOT, undefined, 3_600],
    ["root, asking for 12 hours gets an hour", ROOT, 43_200, 3_600],
    ["root, 15 minutes", ROOT, 900, 900],
  ];
  for (const [name, caller, requested, want] of token) {
    it(`GetSessionToken: ${name}`, () => assert.equal(sessionTokenSeconds(caller, requested), want));
  }
});

describe("AssumeRole", () => {
  const base = { RoleArn: DEPLOY.arn, RoleSessionName: "ci-run" };

  it("issues a role session: ASIA key, token kept as its hash, AssumedRoleUser, the principal of the session", () => {
    const { deps, sessions } = setup();
    const out = assumeRole.run(call(ALICE, { ...base, DurationSeconds: "900" }), deps);
    assert.equal(sessions.sessions.length, 1);
    const s = sessions.sessions[0]!;
    assert.match(s.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const token = /<SessionToken>([^<]+)<\/SessionToken>/.exec(out.resultXml)?.[1] ?? "";
    assert.ok(token.length >= 300, "a long random token");
    assert.equal(s.tokenSha256, sessionTokenSha256(token));
    assert.equal(s.expiresAt, NOW + 900_000);
    assert.match(out.resultXml, /<Expiration>2026-12-05T20:15:00Z<\/Expiration>/);
    assert.match(out.resultXml, new RegExp(`<AssumedRoleUser><AssumedRoleId>${DEPLOY.roleId}:ci-run</AssumedRoleId><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci-run</Arn></AssumedRoleUser>$`));
    assert.deepEqual(s.principal, {
      accessKeyId: s.accessKeyId,
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci-run`,
      type: "AssumedRole",
      userId: `${DEPLOY.roleId}:ci-run`,
      role: { arn: DEPLOY.arn, name: "deploy", id: DEPLOY.roleId, sessionName: "ci-run" },
      issuedAt: NOW,
      expiresAt: NOW + 900_000,
    });
    assert.ok(!JSON.stringify(out.output).includes(s.secretAccessKey), "the trail never gets the secret");
  });

  it("session tags become the session's tags and need sts:TagSession", () => {
    const { deps, sessions } = setup();
    const out = assumeRole.run(call(ALICE, { ...base, "Tags.member.1.Key": "team", "Tags.member.1.Value": "web", "Tags.member.2.Key": "env", "Tags.member.2.Value": "prod" }), deps);
    assert.deepEqual(sessions.sessions[0]?.principal.sessionTags, { team: "web", env: "prod" });
    assert.match(out.resultXml, /<PackedPolicySize>\d+<\/PackedPolicySize>$/);
    refused(
      () => assumeRole.run(call(ALICE, { RoleArn: NO_TAGS.arn, RoleSessionName: "x1", "Tags.member.1.Key": "team", "Tags.member.1.Value": "web" }), setup({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] }).deps),
      "AccessDenied",
      `User: ${ALICE.arn} is not authorized to perform: sts:TagSession on resource: ${NO_TAGS.arn}`,
    );
  });

  const refusals: [string, Principal, Record<string, string>, ErrorCode, string | RegExp, unknown?][] = [
    ["root", ROOT, base, "AccessDenied", "Roles may not be assumed by root accounts."],
    ["an unknown role, in the words of a refusal", ALICE, { ...base, RoleArn: `arn:aws:iam::${ACCOUNT}:role/ghost` }, "AccessDenied", `User: ${ALICE.arn} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/ghost`],
    ["no RoleArn", ALICE, { RoleSessionName: "ci-run" }, "ValidationError", "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"],
    ["a one-letter session name", ALICE, { ...base, RoleSessionName: "x" }, "ValidationError", "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ["a session name with a space", ALICE, { ...base, RoleSessionName: "ci run" }, "ValidationError", /Value 'ci run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*$/],
    ["a 65-character session name", ALICE, { ...base, RoleSessionName: "a".repeat(65) }, "ValidationError", /Member must have length less than or equal to 64$/],
    ["899 seconds", ALICE, { ...base, DurationSeconds: "899" }, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ["43201 seconds", ALICE, { ...base, DurationSeconds: "43201" }, "ValidationError", /Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200$/],
    ["past the role's MaxSessionDuration", ALICE, { ...base, DurationSeconds: "7201" }, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."],
    ["role chaining past an hour", CHAINED, { ...base, DurationSeconds: "3601" }, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."],
    ["two problems at once", ALICE, { RoleArn: DEPLOY.arn, RoleSessionName: "x", DurationSeconds: "10" }, "ValidationError", /^2 validation errors detected: .*roleSessionName.*; .*durationSeconds/],
    ["duplicate tag keys", ALICE, { ...base, "Tags.member.1.Key": "Team", "Tags.member.1.Value": "a", "Tags.member.2.Key": "team", "Tags.member.2.Value": "b" }, "ValidationError", /Duplicate tag keys/],
    ["a session policy (not applied, so refused)", ALICE, { ...base, Policy: "{}" }, "ValidationError", /'policy' is not supported/],
    ["a caller whose own policies deny it, though the trust policy names it", ALICE, base, "AccessDenied", `User: ${ALICE.arn} is not authorized to perform: sts:AssumeRole on resource: ${DEPLOY.arn}`, { Statement: [{ Effect: "Deny", Action: "sts:AssumeRole", Resource: DEPLOY.arn }] }],
  ];
  for (const [name, caller, params, code, message, identityPolicy] of refusals) {
    it(`refuses ${name}: ${code}`, () => {
      const { deps, sessions } = setup(identityPolicy);
      refused(() => assumeRole.run(call(caller, params), deps), code, message);
      assert.equal(sessions.sessions.length, 0, "nothing issued");
    });
  }
});

describe("GetSessionToken", () => {
  it("gives a user credentials that act as that user until they expire", () => {
    const { deps, sessions } = setup();
    const out = getSessionToken.run(call(ALICE, { DurationSeconds: "900" }), deps);
    const s = sessions.sessions[0]!;
    assert.deepEqual(s.principal, { ...ALICE, accessKeyId: s.accessKeyId, issuedAt: NOW, expiresAt: NOW + 900_000 });
    assert.match(out.resultXml, /^<Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[A-Za-z0-9+/]{40}<\/SecretAccessKey><SessionToken>[A-Za-z0-9+/=]+<\/SessionToken><Expiration>2026-12-05T20:15:00Z<\/Expiration><\/Credentials>$/);
  });
  const refusals: [string, Principal, Record<string, string>, ErrorCode, string | RegExp][] = [
    ["session credentials of a user", USER_SESSION, {}, "AccessDenied", "Cannot call GetSessionToken with session credentials"],
    ["a role session", CHAINED, {}, "AccessDenied", "Cannot call GetSessionToken with session credentials"],
    ["899 seconds", ALICE, { DurationSeconds: "899" }, "ValidationError", /Member must have value greater than or equal to 900$/],
    ["36 hours and a second", ALICE, { DurationSeconds: "129601" }, "ValidationError", /Member must have value less than or equal to 129600$/],
    ["an MFA code (no MFA devices)", ALICE, { SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice`, TokenCode: "123456" }, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code."],
  ];
  for (const [name, caller, params, code, message] of refusals) {
    it(`refuses ${name}: ${code}`, () => {
      const { deps, sessions } = setup();
      refused(() => getSessionToken.run(call(caller, params), deps), code, message);
      assert.equal(sessions.sessions.length, 0);
    });
  }
});
