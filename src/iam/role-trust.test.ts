import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate, parsePolicy } from "./policy/engine.js";
import type { Decision } from "./policy/types.js";
import type { Principal } from "./principal.js";
import { combineTrust, conditionContext, serviceTrustDecision, trustDecision, trustIdsOf } from "./role-trust.js";

const ACCOUNT = "123456789012";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/deploy`;
const ALICE: Principal = { accessKeyId: "AKIAALICE", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, type: "IAMUser", userName: "alice" };
const SESSION: Principal = {
  accessKeyId: "ASIASESSION",
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/builder/job-1`,
  type: "AssumedRole",
  role: { arn: `arn:aws:iam::${ACCOUNT}:role/builder`, name: "builder", id: "AROABUILDER", sessionName: "job-1" },
};

const trust = (principal: unknown, effect = "Allow", extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Principal: principal, Action: "sts:AssumeRole", ...extra }] });

/**
 * This branch's policy engine may still be the contract stub, which ignores Principal: the
 * cases that turn on who the trust policy names run once the full grammar is in.
 */
const engineReadsPrincipal =
  evaluate([parsePolicy(trust({ AWS: "arn:aws:iam::111111111111:root" }), "trust")], {
    action: "sts:AssumeRole",
    resource: ROLE_ARN,
    context: conditionContext({}),
    principal: { type: "AWS", ids: [ALICE.arn] },
  }) === "ImplicitDeny";
const needsPrincipalMatching = engineReadsPrincipal ? false : "the policy engine on this branch is the contract stub (no Principal, no Condition)";

describe("AssumeRole's same-account rule (combineTrust)", () => {
  const D: Decision[] = ["Allow", "ImplicitDeny", "ExplicitDeny"];
  const expected = (all: Decision, own: Decision, identity: Decision): Decision => {
    if (all === "ExplicitDeny" || identity === "ExplicitDeny") return "ExplicitDeny";
    if (all !== "Allow") return "ImplicitDeny";
    return own === "Allow" || identity === "Allow" ? "Allow" : "ImplicitDeny";
  };
  const named: [Decision, Decision, Decision, Decision, string][] = [
    ["Allow", "Allow", "ImplicitDeny", "Allow", "the trust policy names the caller's own ARN: no identity permission needed"],
    ["Allow", "ImplicitDeny", "ImplicitDeny", "ImplicitDeny", "the trust policy trusts the account only: the caller's policies must allow too"],
    ["Allow", "ImplicitDeny", "Allow", "Allow", "the account is trusted and the caller's policy allows sts:AssumeRole"],
    ["Allow", "Allow", "ExplicitDeny", "ExplicitDeny", "an explicit deny in the caller's policies beats a trust policy naming it"],
    ["ExplicitDeny", "Allow", "Allow", "ExplicitDeny", "an explicit deny in the trust policy beats everything"],
    ["ImplicitDeny", "ImplicitDeny", "Allow", "ImplicitDeny", "the caller's policy alone is not enough"],
  ];
  for (const [all, own, identity, want, why] of named) {
    it(`${why}: ${want}`, () => assert.equal(combineTrust({ all, own, identity }), want));
  }
  it("every combination follows the rule", () => {
    for (const all of D) for (const own of D) for (const identity of D) assert.equal(combineTrust({ all, own, identity }), expected(all, own, identity), `${all} ${own} ${identity}`);
  });
});

describe("how a trust policy's Principal names a caller", () => {
  it("a user by its ARN; the account by its root ARN and id", () => {
    assert.deepEqual(trustIdsOf(ALICE), { own: [ALICE.arn], account: [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT] });
  });
  it("a role session by its assumed-role ARN; its role counts with the account", () => {
    assert.deepEqual(trustIdsOf(SESSION), { own: [SESSION.arn], account: [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/builder`] });
  });
});

describe("trustDecision: the trust policy with the caller's identity decision", () => {
  type Case = [name: string, trust: string, caller: Principal, identity: Decision, want: Decision, principalMatching: boolean];
  const cases: Case[] = [
    ["trusted by its user ARN, no identity policy", trust({ AWS: ALICE.arn }), ALICE, "ImplicitDeny", "Allow", false],
    ["trusted by its user ARN, identity explicitly denies", trust({ AWS: ALICE.arn }), ALICE, "ExplicitDeny", "ExplicitDeny", false],
    ["a trust policy that denies everyone", trust({ AWS: "*" }, "Deny"), ALICE, "Allow", "ExplicitDeny", false],
    ["a trust policy for another action only", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: "sts:TagSession" }] }), ALICE, "Allow", "ImplicitDeny", false],
    ["the account is trusted, identity allows", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), ALICE, "Allow", "Allow", true],
    ["the account is trusted, identity silent", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), ALICE, "ImplicitDeny", "ImplicitDeny", true],
    ["the account by its bare id, identity allows", trust({ AWS: ACCOUNT }), ALICE, "Allow", "Allow", true],
    ["another user named", trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }), ALICE, "Allow", "ImplicitDeny", true],
    ["another account", trust({ AWS: "arn:aws:iam::999999999999:root" }), ALICE, "Allow", "ImplicitDeny", true],
    ["a service principal only", trust({ Service: "tasks.apprunner.amazonaws.com" }), ALICE, "Allow", "ImplicitDeny", true],
    ["a role session named by its session ARN", trust({ AWS: SESSION.arn }), SESSION, "ImplicitDeny", "Allow", true],
    ["a role session's role named: identity must allow", trust({ AWS: SESSION.role!.arn }), SESSION, "ImplicitDeny", "ImplicitDeny", true],
    ["a role session's role named, identity allows", trust({ AWS: SESSION.role!.arn }), SESSION, "Allow", "Allow", true],
    ["Deny for the account beats Allow for the user", JSON.stringify({ Statement: [
      { Effect: "Allow", Principal: { AWS: ALICE.arn }, Action: "sts:AssumeRole" },
      { Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" },
    ] }), ALICE, "Allow", "ExplicitDeny", false],
    ["ExternalId required and given", trust({ AWS: ALICE.arn }, "Allow", { Condition: { StringEquals: { "sts:ExternalId": "ext-1" } } }), ALICE, "ImplicitDeny", "Allow", false],
    ["ExternalId required, another given", trust({ AWS: ALICE.arn }, "Allow", { Condition: { StringEquals: { "sts:ExternalId": "ext-2" } } }), ALICE, "ImplicitDeny", "ImplicitDeny", true],
  ];
  for (const [name, doc, caller, identity, want, principalMatching] of cases) {
    it(`${name}: ${want}`, { skip: principalMatching ? needsPrincipalMatching : false }, () => {
      let asked = 0;
      const got = trustDecision({
        trust: parsePolicy(doc, "trust"),
        action: "sts:AssumeRole",
        roleArn: ROLE_ARN,
        caller,
        context: conditionContext({ "sts:externalid": "ext-1" }),
        identity: () => {
          asked++;
          return identity;
        },
      });
      assert.equal(got, want);
      assert.ok(asked <= 1, "the caller's policies are asked at most once");
    });
  }
});

describe("serviceTrustDecision: App Runner's service principals", () => {
  const accessRole = trust({ Service: "build.apprunner.amazonaws.com" });
  it("the access role trusts build.apprunner.amazonaws.com", () => {
    assert.equal(serviceTrustDecision(parsePolicy(accessRole, "trust"), "build.apprunner.amazonaws.com", ROLE_ARN, conditionContext({})), "Allow");
  });
  it("but not tasks.apprunner.amazonaws.com", { skip: needsPrincipalMatching }, () => {
    assert.equal(serviceTrustDecision(parsePolicy(accessRole, "trust"), "tasks.apprunner.amazonaws.com", ROLE_ARN, conditionContext({})), "ImplicitDeny");
  });
  it("a trust policy for users only does not let a service in", { skip: needsPrincipalMatching }, () => {
    assert.equal(serviceTrustDecision(parsePolicy(trust({ AWS: ACCOUNT }), "trust"), "tasks.apprunner.amazonaws.com", ROLE_ARN, conditionContext({})), "ImplicitDeny");
  });
});
