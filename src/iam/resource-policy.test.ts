import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { contextOf, parsePolicy } from "./policy/engine.js";
import type { Decision } from "./policy/types.js";
import type { Principal } from "./principal.js";
import { resourceAccessDeniedMessage, resourcePolicyDecision } from "./resource-policy.js";

const ACCT = "111122223333";
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/0b5c3c4e-1d2f-4a3b-8c4d-5e6f7a8b9c0d`;
const ALICE: Principal = { accessKeyId: "AKIAALICE", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:user/alice`, type: "IAMUser", userName: "alice" };
const SESSION: Principal = {
  accessKeyId: "ASIASESSION",
  accountId: ACCT,
  arn: `arn:aws:sts::${ACCT}:assumed-role/app/instance-1`,
  type: "AssumedRole",
  role: { arn: `arn:aws:iam::${ACCT}:role/app`, name: "app", id: "AROAAPP", sessionName: "instance-1" },
};
const STRANGER: Principal = { accessKeyId: "AKIAOTHER", accountId: "444455556666", arn: "arn:aws:iam::444455556666:user/eve", type: "IAMUser" };

const policy = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (principal: unknown, action: unknown = "kms:*", extra: object = {}): object => ({ Effect: "Allow", Principal: principal, Action: action, Resource: "*", ...extra });
const deny = (principal: unknown, action: unknown): object => ({ Effect: "Deny", Principal: principal, Action: action, Resource: "*" });
const DEFAULT = policy(allow({ AWS: `arn:aws:iam::${ACCT}:root` }));

interface Case {
  name: string;
  policy: string;
  caller: Principal;
  identity: Decision;
  action?: string;
  expect: Decision;
  refusedBy?: "resource" | "identity";
}

const cases: Case[] = [
  { name: "default policy delegates: the identity policy allows", policy: DEFAULT, caller: ALICE, identity: "Allow", expect: "Allow" },
  { name: "default policy delegates: no identity allow refuses (identity's fault)", policy: DEFAULT, caller: ALICE, identity: "ImplicitDeny", expect: "ImplicitDeny", refusedBy: "identity" },
  { name: "default policy delegates: an identity deny refuses", policy: DEFAULT, caller: ALICE, identity: "ExplicitDeny", expect: "ExplicitDeny", refusedBy: "identity" },
  { name: "the bare account id delegates too", policy: policy(allow({ AWS: ACCT })), caller: ALICE, identity: "Allow", expect: "Allow" },
  { name: "a policy naming the user allows without IAM", policy: policy(allow({ AWS: ALICE.arn })), caller: ALICE, identity: "ImplicitDeny", expect: "Allow" },
  { name: "a policy naming the user: an identity deny still wins", policy: policy(allow({ AWS: ALICE.arn })), caller: ALICE, identity: "ExplicitDeny", expect: "ExplicitDeny", refusedBy: "identity" },
  { name: "a policy naming someone else refuses whatever IAM says", policy: policy(allow({ AWS: `arn:aws:iam::${ACCT}:user/bob` })), caller: ALICE, identity: "Allow", expect: "ImplicitDeny", refusedBy: "resource" },
  { name: "a policy naming the role allows its sessions", policy: policy(allow({ AWS: SESSION.role?.arn })), caller: SESSION, identity: "ImplicitDeny", expect: "Allow" },
  { name: "Principal * allows anyone", policy: policy(allow("*")), caller: ALICE, identity: "ImplicitDeny", expect: "Allow" },
  { name: "a key-policy deny beats a direct allow", policy: policy(allow({ AWS: ALICE.arn }), deny({ AWS: "*" }, "kms:Decrypt")), caller: ALICE, identity: "Allow", action: "kms:Decrypt", expect: "ExplicitDeny", refusedBy: "resource" },
  { name: "a key-policy deny on the account root covers its users", policy: policy(allow({ AWS: ALICE.arn }), deny({ AWS: ACCT }, "kms:Decrypt")), caller: ALICE, identity: "Allow", action: "kms:Decrypt", expect: "ExplicitDeny", refusedBy: "resource" },
  { name: "an action the key policy does not cover is refused", policy: policy(allow({ AWS: ALICE.arn }, "kms:Encrypt")), caller: ALICE, identity: "Allow", action: "kms:Decrypt", expect: "ImplicitDeny", refusedBy: "resource" },
  { name: "another account's user is not the account", policy: DEFAULT, caller: STRANGER, identity: "Allow", expect: "ImplicitDeny", refusedBy: "resource" },
  {
    name: "a condition the call does not meet does not allow",
    policy: policy(allow({ AWS: "*" }, "kms:Decrypt", { Condition: { StringEquals: { "kms:ViaService": "ssm.us-east-1.amazonaws.com" } } })),
    caller: ALICE,
    identity: "Allow",
    action: "kms:Decrypt",
    expect: "ImplicitDeny",
    refusedBy: "resource",
  },
];

describe("a resource policy (KMS's key policy) with the caller's identity policies", () => {
  for (const c of cases) {
    it(c.name, () => {
      const verdict = resourcePolicyDecision({
        policy: parsePolicy(c.policy, "resource"),
        action: c.action ?? "kms:Encrypt",
        resource: KEY,
        caller: c.caller,
        context: contextOf({}),
        identity: () => c.identity,
      });
      assert.equal(verdict.decision, c.expect);
      assert.equal(verdict.refusedBy, c.refusedBy);
    });
  }

  it("a resource policy needs a Principal and a Resource", () => {
    for (const text of [policy({ Effect: "Allow", Action: "kms:*", Resource: "*" }), policy({ Effect: "Allow", Principal: "*", Action: "kms:*" })]) {
      assert.throws(() => parsePolicy(text, "resource"), (err: unknown) => err instanceof AppRunnerError && err.code === "MalformedPolicyDocument");
    }
  });

  it("refusals read as AWS's", () => {
    assert.equal(
      resourceAccessDeniedMessage(ALICE, "kms:Decrypt", KEY, { decision: "ImplicitDeny", refusedBy: "resource" }),
      `User: ${ALICE.arn} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no resource-based policy allows the kms:Decrypt action`,
    );
    assert.match(resourceAccessDeniedMessage(ALICE, "kms:Decrypt", KEY, { decision: "ExplicitDeny", refusedBy: "identity" }), /with an explicit deny in an identity-based policy$/);
  });
});
