import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Principal } from "../../iam/principal.js";
import { STS_API } from "../../sts/route.js";
import { toTrailEntry } from "./cloudtrail-event.js";
import { HIDDEN } from "./hidden.js";
import { userIdentityJsonOf, usernameOf } from "./user-identity.js";

const ACCOUNT = "123456789012";
const ISSUED = Date.UTC(2026, 11, 5, 20, 0, 0, 250);
const ROLE = { arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`, name: "deploy", id: "AROAEXAMPLEROLEID0001", sessionName: "build-42" };

const principals: Record<string, Principal> = {
  root: { accessKeyId: "AKIAROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" },
  user: { accessKeyId: "AKIAUSER", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`, type: "IAMUser", userName: "alice", userId: "AIDAEXAMPLEUSERID0001" },
  userSession: {
    accessKeyId: "ASIAUSER",
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
    type: "IAMUser",
    userName: "alice",
    userId: "AIDAEXAMPLEUSERID0001",
    issuedAt: ISSUED,
    expiresAt: ISSUED + 3_600_000,
  },
  roleSession: {
    accessKeyId: "ASIAROLE",
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/build-42`,
    type: "AssumedRole",
    userId: `${ROLE.id}:build-42`,
    role: ROLE,
    issuedAt: ISSUED,
    expiresAt: ISSUED + 3_600_000,
  },
};

describe("CloudTrail's userIdentity for every kind of caller", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["root", { type: "Root", principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: "AKIAROOT" }, "root"],
    [
      "user",
      { type: "IAMUser", principalId: "AIDAEXAMPLEUSERID0001", arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`, accountId: ACCOUNT, accessKeyId: "AKIAUSER", userName: "alice" },
      "alice",
    ],
    [
      "userSession",
      {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEUSERID0001",
        arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
        accountId: ACCOUNT,
        accessKeyId: "ASIAUSER",
        userName: "alice",
        sessionContext: { attributes: { creationDate: "2026-12-05T20:00:00Z", mfaAuthenticated: "false" } },
      },
      "alice",
    ],
    [
      "roleSession",
      {
        type: "AssumedRole",
        principalId: "AROAEXAMPLEROLEID0001:build-42",
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/build-42`,
        accountId: ACCOUNT,
        accessKeyId: "ASIAROLE",
        sessionContext: {
          sessionIssuer: { type: "Role", principalId: "AROAEXAMPLEROLEID0001", arn: ROLE.arn, accountId: ACCOUNT, userName: "deploy" },
          attributes: { creationDate: "2026-12-05T20:00:00Z", mfaAuthenticated: "false" },
        },
      },
      "build-42",
    ],
  ];
  for (const [name, identity, username] of cases) {
    it(`${name}: ${String(identity.type)}, LookupEvents' Username ${username}`, () => {
      const p = principals[name]!;
      const json = userIdentityJsonOf(p);
      assert.equal(json, JSON.stringify(identity), "CloudTrail's fields in CloudTrail's order");
      assert.equal(userIdentityJsonOf(p), json);
      assert.equal(usernameOf(p), username);
    });
  }

  it("a user without a stored id still gets a stable AIDA id", () => {
    const { userId: _none, ...legacy } = principals.user!;
    const a = JSON.parse(userIdentityJsonOf({ ...legacy })) as { principalId: string };
    const b = JSON.parse(userIdentityJsonOf({ ...legacy })) as { principalId: string };
    assert.match(a.principalId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(a.principalId, b.principalId);
  });
});

describe("STS calls in the trail", () => {
  it("AssumeRole's session token is hidden and its secret key never reaches the trail", () => {
    const token = "FwoGZXIvYXdzEXAMPLETOKEN".repeat(10);
    const e = toTrailEntry(
      {
        api: STS_API,
        operation: "AssumeRole",
        requestId: "r",
        time: ISSUED,
        sourceIp: "127.0.0.1",
        userAgent: "aws-sdk-js",
        accessKeyId: "AKIAUSER",
        input: { RoleArn: ROLE.arn, RoleSessionName: "build-42", ExternalId: "ext-1" },
        output: {
          Credentials: { AccessKeyId: "ASIAROLE", SessionToken: token, Expiration: "2026-12-05T21:00:00Z" },
          AssumedRoleUser: { AssumedRoleId: `${ROLE.id}:build-42`, Arn: principals.roleSession!.arn },
        },
        errorCode: undefined,
        errorMessage: undefined,
      },
      { region: "us-east-1", accountId: ACCOUNT, eventId: "e", principal: principals.user },
    );
    const ev = JSON.parse(e.event) as { eventSource: string; requestParameters: unknown; responseElements: { credentials: Record<string, unknown> } };
    assert.equal(ev.eventSource, "sts.amazonaws.com");
    assert.deepEqual(ev.requestParameters, { roleArn: ROLE.arn, roleSessionName: "build-42", externalId: "ext-1" });
    assert.deepEqual(ev.responseElements.credentials, { accessKeyId: "ASIAROLE", sessionToken: HIDDEN, expiration: "2026-12-05T21:00:00Z" });
    assert.ok(!e.event.includes(token));
  });
});
