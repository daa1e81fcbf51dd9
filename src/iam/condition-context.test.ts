import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest, CallFacts } from "./authorization.js";
import { principalFacts, RequestContext } from "./condition-context.js";
import type { Principal } from "./principal.js";

const ACCOUNT = "123456789012";
const SERVICE = `arn:aws:apprunner:us-east-1:${ACCOUNT}:service/web/0123456789abcdef0123456789abcdef`;
const CALL: CallFacts = { sourceIp: "::ffff:127.0.0.1", secureTransport: false, time: Date.UTC(2026, 11, 5, 10, 0, 0, 250) };

const user: Principal = {
  accessKeyId: "AKIAALICEALICEALICE2",
  accountId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:user/dev/alice`,
  type: "IAMUser",
  userId: "AIDAALICEALICEALICE23",
  userName: "alice",
};
const session: Principal = {
  accessKeyId: "ASIAROLEROLEROLEROLE",
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-42`,
  type: "AssumedRole",
  userId: "AROADEPLOYERDEPLOYER2:ci-42",
  role: { arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, name: "deployer", id: "AROADEPLOYERDEPLOYER2", sessionName: "ci-42" },
  expiresAt: CALL.time + 3600_000,
  sessionTags: { Team: "blue", Project: "x" },
};
const root: Principal = { accessKeyId: "AKIAROOTROOTROOTROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root", userId: ACCOUNT };

function contextOf(principal: Principal, ownTags: Record<string, string>, request: AuthorizationRequest, resourceTags: (arn: string) => Record<string, string> | undefined = () => undefined) {
  const ctx = new RequestContext(principal, principalFacts(principal, ownTags), CALL, "us-east-1", resourceTags);
  ctx.request = request;
  return ctx;
}

describe("RequestContext: the condition keys of one request", () => {
  const request: AuthorizationRequest = {
    action: "apprunner:CreateService",
    resource: "*",
    conditions: { "aws:requesttag/owner": "alice", "aws:tagkeys": ["Owner", "Env"], "apprunner:connectionarn": "arn:aws:apprunner:us-east-1:123456789012:connection/gh/1" },
  };
  const table: { name: string; principal: Principal; key: string; value: readonly string[] | undefined }[] = [
    { name: "user name", principal: user, key: "aws:username", value: ["alice"] },
    { name: "no user name for a role session", principal: session, key: "aws:username", value: undefined },
    { name: "no user name for root", principal: root, key: "aws:username", value: undefined },
    { name: "user id", principal: user, key: "aws:userid", value: ["AIDAALICEALICEALICE23"] },
    { name: "role session's user id", principal: session, key: "aws:userid", value: ["AROADEPLOYERDEPLOYER2:ci-42"] },
    { name: "principal ARN of a user", principal: user, key: "aws:principalarn", value: [user.arn] },
    { name: "principal ARN of a role session is the role's", principal: session, key: "aws:principalarn", value: [`arn:aws:iam::${ACCOUNT}:role/deployer`] },
    { name: "principal type User", principal: user, key: "aws:principaltype", value: ["User"] },
    { name: "principal type AssumedRole", principal: session, key: "aws:principaltype", value: ["AssumedRole"] },
    { name: "principal type Account", principal: root, key: "aws:principaltype", value: ["Account"] },
    { name: "principal account", principal: user, key: "aws:principalaccount", value: [ACCOUNT] },
    { name: "current time, ISO without milliseconds", principal: user, key: "aws:currenttime", value: ["2026-12-05T10:00:00Z"] },
    { name: "epoch time in seconds", principal: user, key: "aws:epochtime", value: [String(Math.floor(CALL.time / 1000))] },
    { name: "source IP without the IPv4-mapped prefix", principal: user, key: "aws:sourceip", value: ["127.0.0.1"] },
    { name: "secure transport", principal: user, key: "aws:securetransport", value: ["false"] },
    { name: "requested region", principal: user, key: "aws:requestedregion", value: ["us-east-1"] },
    { name: "MFA absent for a long-term key", principal: user, key: "aws:multifactorauthpresent", value: undefined },
    { name: "MFA false for temporary credentials", principal: session, key: "aws:multifactorauthpresent", value: ["false"] },
    { name: "request tag (the call's own)", principal: user, key: "aws:requesttag/owner", value: ["alice"] },
    { name: "request tag absent", principal: user, key: "aws:requesttag/env", value: undefined },
    { name: "tag keys", principal: user, key: "aws:tagkeys", value: ["Owner", "Env"] },
    { name: "the call's service condition key", principal: user, key: "apprunner:connectionarn", value: ["arn:aws:apprunner:us-east-1:123456789012:connection/gh/1"] },
    { name: "a key nobody sets", principal: user, key: "apprunner:vpcconnectorarn", value: undefined },
    { name: "resource tag on a call without a resource", principal: user, key: "aws:resourcetag/owner", value: undefined },
    { name: "unknown global key", principal: user, key: "aws:calledvia", value: undefined },
  ];
  for (const t of table) {
    it(`${t.name}: ${t.key}`, () => {
      assert.deepEqual(contextOf(t.principal, {}, request).get(t.key), t.value);
    });
  }

  it("principal tags: the user's own, keys case-insensitive", () => {
    const ctx = contextOf(user, { CostCenter: "42" }, request);
    assert.deepEqual(ctx.get("aws:principaltag/costcenter"), ["42"]);
    assert.equal(ctx.get("aws:principaltag/team"), undefined);
  });

  it("session tags are laid over the role's own tags", () => {
    const ctx = contextOf(session, { Team: "red", Owner: "ops" }, request);
    assert.deepEqual(ctx.get("aws:principaltag/team"), ["blue"]);
    assert.deepEqual(ctx.get("aws:principaltag/owner"), ["ops"]);
    assert.deepEqual(ctx.get("aws:principaltag/project"), ["x"]);
  });

  it("resource tags are read lazily, once per resource, and only when a policy asks", () => {
    const asked: string[] = [];
    const tags = (arn: string) => {
      asked.push(arn);
      return arn === SERVICE ? { Owner: "alice" } : undefined;
    };
    const ctx = contextOf(user, {}, { action: "apprunner:DeleteService", resource: SERVICE }, tags);
    ctx.get("aws:username");
    ctx.get("aws:currenttime");
    assert.deepEqual(asked, [], "no resource tag asked, no lookup");
    assert.deepEqual(ctx.get("aws:resourcetag/owner"), ["alice"]);
    assert.deepEqual(ctx.get("apprunner:resourcetag/owner"), ["alice"]);
    assert.equal(ctx.get("aws:resourcetag/team"), undefined);
    assert.deepEqual(asked, [SERVICE], "one lookup for every key of the same resource");
    ctx.request = { action: "apprunner:DescribeService", resource: `${SERVICE}x` };
    assert.equal(ctx.get("apprunner:resourcetag/owner"), undefined);
    assert.deepEqual(asked, [SERVICE, `${SERVICE}x`]);
  });

  it("<service>:ResourceTag/* belongs to that service's actions only", () => {
    const ctx = contextOf(user, {}, { action: "ecr:DeleteRepository", resource: SERVICE }, () => ({ Owner: "alice" }));
    assert.equal(ctx.get("apprunner:resourcetag/owner"), undefined);
    assert.deepEqual(ctx.get("aws:resourcetag/owner"), ["alice"]);
  });

  it("an untagged resource has no resource tags (Null sees them absent)", () => {
    const ctx = contextOf(user, {}, { action: "apprunner:DeleteService", resource: SERVICE }, () => undefined);
    assert.equal(ctx.get("aws:resourcetag/owner"), undefined);
  });
});
