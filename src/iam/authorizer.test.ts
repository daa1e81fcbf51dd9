import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CallFacts } from "./authorization.js";
import { createAuthorizer } from "./authorizer.js";
import type { AppliedPolicy, IdentityPolicySource } from "./identity-policies.js";
import type { Principal } from "./principal.js";

const ACCOUNT = "123456789012";
const CALL: CallFacts = { sourceIp: "127.0.0.1", secureTransport: false, time: Date.UTC(2026, 11, 5, 10, 0, 0) };
const SERVICE = `arn:aws:apprunner:us-east-1:${ACCOUNT}:service/web/0123456789abcdef0123456789abcdef`;

const root: Principal = { accessKeyId: "AKIAROOTROOTROOTROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root", userId: ACCOUNT };
const alice: Principal = {
  accessKeyId: "AKIAALICEALICEALICE2",
  accountId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  type: "IAMUser",
  userId: "AIDAALICEALICEALICE23",
  userName: "alice",
};

const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string, resource = "*"): object => ({ Effect: "Allow", Action: action, Resource: resource });
const deny = (action: string, resource = "*"): object => ({ Effect: "Deny", Action: action, Resource: resource });

/** An IdentityPolicySource over a mutable table, counting how often the authorizer asks. */
function source(initial: Record<string, AppliedPolicy[]>) {
  const state = { policies: initial, revision: 1, asked: 0 };
  const src: IdentityPolicySource = {
    policiesOf: (p) => {
      state.asked++;
      return state.policies[p.arn] ?? [];
    },
    principalTags: () => ({}),
    revision: () => state.revision,
  };
  return { state, src };
}

const authorizerOver = (src: IdentityPolicySource) => createAuthorizer({ policies: src, resourceTags: () => undefined, accountId: ACCOUNT, region: "us-east-1" });

function denied(fn: () => void): AppRunnerError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppRunnerError);
    assert.equal(err.code, "AccessDenied");
    assert.equal(err.awsType, "AccessDeniedException");
    assert.equal(err.httpStatus, 403);
    return err;
  }
  assert.fail("expected AccessDenied");
}

describe("createAuthorizer", () => {
  it("root is allowed everything without asking for policies", () => {
    const { state, src } = source({});
    const authz = authorizerOver(src);
    authz.authorize(root, [{ action: "apprunner:DeleteService", resource: SERVICE }, { action: "iam:PassRole", resource: "*" }], CALL);
    assert.equal(authz.decide(root, { action: "apprunner:CreateService", resource: "*" }, CALL), "Allow");
    assert.equal(state.asked, 0);
  });

  it("another account's root is not this account's root: it is judged by policies", () => {
    const { state, src } = source({});
    const other: Principal = { ...root, accountId: "210987654321", arn: "arn:aws:iam::210987654321:root" };
    denied(() => authorizerOver(src).authorize(other, [{ action: "apprunner:ListServices", resource: "*" }], CALL));
    assert.equal(state.asked, 0, "the source is never asked about a root");
  });

  const table: { name: string; policies: string[]; action: string; resource: string; decision: string }[] = [
    { name: "no policy: implicit deny", policies: [], action: "apprunner:ListServices", resource: "*", decision: "ImplicitDeny" },
    { name: "allowed by one statement", policies: [doc(allow("apprunner:List*"))], action: "apprunner:ListServices", resource: "*", decision: "Allow" },
    { name: "another action: implicit deny", policies: [doc(allow("apprunner:List*"))], action: "apprunner:CreateService", resource: "*", decision: "ImplicitDeny" },
    { name: "resource pattern matches", policies: [doc(allow("apprunner:DeleteService", "arn:aws:apprunner:*:*:service/web/*"))], action: "apprunner:DeleteService", resource: SERVICE, decision: "Allow" },
    { name: "resource pattern misses", policies: [doc(allow("apprunner:DeleteService", "arn:aws:apprunner:*:*:service/api/*"))], action: "apprunner:DeleteService", resource: SERVICE, decision: "ImplicitDeny" },
    { name: "explicit deny in another policy wins", policies: [doc(allow("apprunner:*")), doc(deny("apprunner:DeleteService"))], action: "apprunner:DeleteService", resource: SERVICE, decision: "ExplicitDeny" },
    { name: "deny of another action leaves the allow", policies: [doc(allow("apprunner:*"), deny("apprunner:DeleteService"))], action: "apprunner:PauseService", resource: SERVICE, decision: "Allow" },
  ];
  for (const t of table) {
    it(`decide: ${t.name}`, () => {
      const { src } = source({ [alice.arn]: t.policies.map((d, i) => ({ id: `inline:alice:p${i}`, document: d })) });
      assert.equal(authorizerOver(src).decide(alice, { action: t.action, resource: t.resource }, CALL), t.decision);
    });
  }

  it("implicit deny: AWS's wording, naming the action and the resource", () => {
    const { src } = source({ [alice.arn]: [{ id: "p", document: doc(allow("apprunner:List*")) }] });
    const err = denied(() => authorizerOver(src).authorize(alice, [{ action: "apprunner:CreateService", resource: "*" }], CALL));
    assert.equal(
      err.message,
      `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: apprunner:CreateService on resource: * because no identity-based policy allows the apprunner:CreateService action`,
    );
  });

  it("explicit deny: AWS's wording for a deny in an identity-based policy", () => {
    const { src } = source({ [alice.arn]: [{ id: "p", document: doc(allow("apprunner:*"), deny("apprunner:DeleteService")) }] });
    const err = denied(() => authorizerOver(src).authorize(alice, [{ action: "apprunner:DeleteService", resource: SERVICE }], CALL));
    assert.equal(
      err.message,
      `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: apprunner:DeleteService on resource: ${SERVICE} with an explicit deny in an identity-based policy`,
    );
  });

  it("every request of a call must be allowed: the first refused one is named (iam:PassRole after CreateService)", () => {
    const { src } = source({ [alice.arn]: [{ id: "p", document: doc(allow("apprunner:*")) }] });
    const role = `arn:aws:iam::${ACCOUNT}:role/app`;
    const err = denied(() =>
      authorizerOver(src).authorize(alice, [{ action: "apprunner:CreateService", resource: "*" }, { action: "iam:PassRole", resource: role, conditions: { "iam:passedtoservice": "apprunner.amazonaws.com" } }], CALL),
    );
    assert.match(err.message, new RegExp(`perform: iam:PassRole on resource: ${role} because`));
  });

  it("policies are compiled once per principal and asked again only when the revision moves", () => {
    const { state, src } = source({ [alice.arn]: [{ id: "p", document: doc(allow("apprunner:List*")) }] });
    const authz = authorizerOver(src);
    const list = { action: "apprunner:ListServices", resource: "*" };
    const create = { action: "apprunner:CreateService", resource: "*" };
    for (let i = 0; i < 5; i++) assert.equal(authz.decide(alice, list, CALL), "Allow");
    assert.equal(state.asked, 1);
    // An inline policy rewritten under the same id, and nothing tells the authorizer but the revision.
    state.policies = { [alice.arn]: [{ id: "p", document: doc(allow("apprunner:Create*")) }] };
    assert.equal(authz.decide(alice, create, CALL), "ImplicitDeny", "cached until the revision moves");
    state.revision++;
    assert.equal(authz.decide(alice, create, CALL), "Allow");
    assert.equal(authz.decide(alice, list, CALL), "ImplicitDeny");
    assert.equal(state.asked, 2);
  });

  it("a user's long-term key and its temporary session are cached apart", () => {
    const { state, src } = source({ [alice.arn]: [{ id: "p", document: doc(allow("apprunner:List*")) }] });
    const authz = authorizerOver(src);
    const list = { action: "apprunner:ListServices", resource: "*" };
    authz.decide(alice, list, CALL);
    authz.decide({ ...alice, accessKeyId: "ASIAALICEALICEALICE2", expiresAt: CALL.time + 3600_000 }, list, CALL);
    authz.decide(alice, list, CALL);
    assert.equal(state.asked, 2);
  });

  it("a stored policy that no longer parses fails the call closed (it may have been a Deny)", () => {
    const { src } = source({ [alice.arn]: [{ id: "p", document: "{not json" }] });
    assert.throws(
      () => authorizerOver(src).authorize(alice, [{ action: "apprunner:ListServices", resource: "*" }], CALL),
      (err: unknown) => err instanceof AppRunnerError && err.code === "InternalServiceError",
    );
  });
});
