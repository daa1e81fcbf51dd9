import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextOf, evaluate, parsePolicy, trustAllows } from "./engine.js";
import type { RequestPrincipal } from "./types.js";

const ACCT = "111122223333";
const ALICE: RequestPrincipal = { type: "AWS", ids: [`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${ACCT}:root`, ACCT] };
const BOB_OTHER_ACCOUNT: RequestPrincipal = { type: "AWS", ids: ["arn:aws:iam::444455556666:user/bob", "arn:aws:iam::444455556666:root", "444455556666"] };
const CI_ROLE_SESSION: RequestPrincipal = {
  type: "AWS",
  ids: [`arn:aws:sts::${ACCT}:assumed-role/ci/build-7`, `arn:aws:iam::${ACCT}:role/ci`, `arn:aws:iam::${ACCT}:root`, ACCT],
};
const TASKS: RequestPrincipal = { type: "Service", ids: ["tasks.apprunner.amazonaws.com"] };
const BUILD: RequestPrincipal = { type: "Service", ids: ["build.apprunner.amazonaws.com"] };

const trust = (principal: unknown, extra: Record<string, unknown> = {}, action: unknown = "sts:AssumeRole"): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: action, ...extra }] });

interface Case {
  name: string;
  policy: string;
  principal: RequestPrincipal;
  allowed: boolean;
  action?: string;
  ctx?: Record<string, string>;
}

const cases: Case[] = [
  { name: "instance role trusts tasks.apprunner.amazonaws.com", policy: trust({ Service: "tasks.apprunner.amazonaws.com" }), principal: TASKS, allowed: true },
  { name: "instance role does not trust the build principal", policy: trust({ Service: "tasks.apprunner.amazonaws.com" }), principal: BUILD, allowed: false },
  { name: "access role trusts build.apprunner.amazonaws.com", policy: trust({ Service: "build.apprunner.amazonaws.com" }), principal: BUILD, allowed: true },
  { name: "service principals in a list", policy: trust({ Service: ["build.apprunner.amazonaws.com", "tasks.apprunner.amazonaws.com"] }), principal: TASKS, allowed: true },
  { name: "a service principal is not an AWS principal", policy: trust({ Service: "tasks.apprunner.amazonaws.com" }), principal: ALICE, allowed: false },
  { name: "AWS account id trusts every principal of the account", policy: trust({ AWS: ACCT }), principal: ALICE, allowed: true },
  { name: "AWS account root ARN is the same as the id", policy: trust({ AWS: `arn:aws:iam::${ACCT}:root` }), principal: CI_ROLE_SESSION, allowed: true },
  { name: "AWS account id: another account is refused", policy: trust({ AWS: ACCT }), principal: BOB_OTHER_ACCOUNT, allowed: false },
  { name: "AWS user ARN trusts that user", policy: trust({ AWS: `arn:aws:iam::${ACCT}:user/alice` }), principal: ALICE, allowed: true },
  { name: "AWS user ARN does not trust the role session", policy: trust({ AWS: `arn:aws:iam::${ACCT}:user/alice` }), principal: CI_ROLE_SESSION, allowed: false },
  { name: "AWS role ARN trusts the role's sessions", policy: trust({ AWS: `arn:aws:iam::${ACCT}:role/ci` }), principal: CI_ROLE_SESSION, allowed: true },
  { name: "AWS * trusts any AWS principal", policy: trust({ AWS: "*" }), principal: BOB_OTHER_ACCOUNT, allowed: true },
  { name: "Principal * trusts anyone", policy: trust("*"), principal: TASKS, allowed: true },
  { name: "mixed AWS and Service principals", policy: trust({ AWS: `arn:aws:iam::${ACCT}:user/alice`, Service: "tasks.apprunner.amazonaws.com" }), principal: TASKS, allowed: true },
  { name: "other action than the one trusted", policy: trust({ AWS: ACCT }), principal: ALICE, action: "sts:TagSession", allowed: false },
  { name: "two actions trusted", policy: trust({ AWS: ACCT }, {}, ["sts:AssumeRole", "sts:TagSession"]), principal: ALICE, action: "sts:TagSession", allowed: true },
  { name: "trust with a condition that holds", policy: trust({ AWS: ACCT }, { Condition: { StringEquals: { "sts:RoleSessionName": "${aws:username}" } } }), principal: ALICE, ctx: { "sts:RoleSessionName": "alice", "aws:username": "alice" }, allowed: true },
  { name: "trust with a condition that fails", policy: trust({ AWS: ACCT }, { Condition: { StringEquals: { "sts:ExternalId": "s3cret" } } }), principal: ALICE, ctx: {}, allowed: false },
  {
    name: "NotPrincipal with Deny spares the listed principal",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCT }, Action: "sts:AssumeRole" }, { Effect: "Deny", NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: "sts:AssumeRole" }] }),
    principal: ALICE,
    allowed: true,
  },
  {
    name: "NotPrincipal with Deny refuses everyone else",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCT }, Action: "sts:AssumeRole" }, { Effect: "Deny", NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: "sts:AssumeRole" }] }),
    principal: CI_ROLE_SESSION,
    allowed: false,
  },
  { name: "explicit deny of a service principal", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: { Service: "build.apprunner.amazonaws.com" }, Action: "sts:*" }] }), principal: BUILD, allowed: false },
];

describe("trust policies", () => {
  for (const c of cases) {
    it(c.name, () => {
      const policy = parsePolicy(c.policy, "trust");
      assert.equal(trustAllows(policy, c.principal, contextOf(c.ctx ?? {}), c.action), c.allowed);
    });
  }

  it("without a caller principal nothing in a trust policy applies", () => {
    const policy = parsePolicy(trust("*"), "trust");
    assert.equal(evaluate([policy], { action: "sts:AssumeRole", resource: "*", context: contextOf({}) }), "ImplicitDeny");
  });
});
