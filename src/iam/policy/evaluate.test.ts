import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextKeysOf, contextOf, evaluate, parsePolicy } from "./engine.js";
import type { Decision } from "./types.js";

const SVC = "arn:aws:apprunner:us-east-1:111122223333:service/web/8fe1e10304f84fd2b0df550fe98a71fa";
const OTHER_SVC = "arn:aws:apprunner:us-east-1:111122223333:service/api/0123";
const LOGS = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/apprunner/web/8fe1/application:log-stream:instance/abc";

type Stmt = Record<string, unknown>;
const doc = (...statements: Stmt[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown = "*", extra: Stmt = {}): Stmt => ({ Effect: "Allow", Action, Resource, ...extra });
const deny = (Action: unknown, Resource: unknown = "*", extra: Stmt = {}): Stmt => ({ Effect: "Deny", Action, Resource, ...extra });

interface Case {
  name: string;
  policies: string[];
  action: string;
  resource: string;
  expect: Decision;
}

const cases: Case[] = [
  { name: "no policies: implicit deny", policies: [], action: "apprunner:ListServices", resource: "*", expect: "ImplicitDeny" },
  { name: "exact action", policies: [doc(allow("apprunner:ListServices"))], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "actions are case-insensitive", policies: [doc(allow("AppRunner:listservices"))], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "other action: implicit deny", policies: [doc(allow("apprunner:ListServices"))], action: "apprunner:DeleteService", resource: SVC, expect: "ImplicitDeny" },
  { name: "action prefix wildcard", policies: [doc(allow("apprunner:Describe*"))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "action prefix wildcard does not reach other verbs", policies: [doc(allow("apprunner:Describe*"))], action: "apprunner:DeleteService", resource: SVC, expect: "ImplicitDeny" },
  { name: "action ? wildcard", policies: [doc(allow("apprunner:?istServices"))], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "action * in the middle", policies: [doc(allow("apprunner:*Service"))], action: "apprunner:PauseService", resource: SVC, expect: "Allow" },
  { name: "service wildcard apprunner:*", policies: [doc(allow("apprunner:*"))], action: "apprunner:CreateService", resource: "*", expect: "Allow" },
  { name: "service prefix is part of the match", policies: [doc(allow("apprunner:*"))], action: "logs:GetLogEvents", resource: LOGS, expect: "ImplicitDeny" },
  { name: "Action * allows everything", policies: [doc(allow("*"))], action: "iam:CreateUser", resource: "arn:aws:iam::111122223333:user/bob", expect: "Allow" },
  { name: "action list is ORed", policies: [doc(allow(["logs:GetLogEvents", "apprunner:ListServices"]))], action: "logs:GetLogEvents", resource: LOGS, expect: "Allow" },
  { name: "exact resource", policies: [doc(allow("apprunner:DescribeService", SVC))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "other resource", policies: [doc(allow("apprunner:DescribeService", SVC))], action: "apprunner:DescribeService", resource: OTHER_SVC, expect: "ImplicitDeny" },
  { name: "resource wildcard in name", policies: [doc(allow("apprunner:DescribeService", "arn:aws:apprunner:us-east-1:111122223333:service/web/*"))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "resource wildcards per ARN part", policies: [doc(allow("apprunner:DescribeService", "arn:aws:apprunner:*:*:service/*"))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "resource account mismatch", policies: [doc(allow("apprunner:DescribeService", "arn:aws:apprunner:*:444455556666:service/*"))], action: "apprunner:DescribeService", resource: SVC, expect: "ImplicitDeny" },
  { name: "resources are case-sensitive", policies: [doc(allow("apprunner:DescribeService", "arn:aws:apprunner:*:*:service/WEB/*"))], action: "apprunner:DescribeService", resource: SVC, expect: "ImplicitDeny" },
  { name: "resource ? wildcard", policies: [doc(allow("apprunner:DescribeService", "arn:aws:apprunner:us-east-?:111122223333:service/web/*"))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "a short ARN pattern covers the rest", policies: [doc(allow("logs:*", "arn:aws:logs:*"))], action: "logs:GetLogEvents", resource: LOGS, expect: "Allow" },
  { name: "log-stream ARN with colons in the resource part", policies: [doc(allow("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/apprunner/*:log-stream:*"))], action: "logs:PutLogEvents", resource: LOGS, expect: "Allow" },
  { name: "resource list is ORed", policies: [doc(allow("apprunner:DescribeService", [OTHER_SVC, SVC]))], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "explicit deny beats allow in the same policy", policies: [doc(allow("apprunner:*"), deny("apprunner:DeleteService"))], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "explicit deny beats allow across policies", policies: [doc(allow("*")), doc(deny("apprunner:Delete*", SVC))], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "deny listed first still wins", policies: [doc(deny("apprunner:DeleteService")), doc(allow("*"))], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "deny on another resource leaves the allow", policies: [doc(allow("apprunner:*"), deny("apprunner:DeleteService", OTHER_SVC))], action: "apprunner:DeleteService", resource: SVC, expect: "Allow" },
  { name: "deny alone is still a deny", policies: [doc(deny("apprunner:DeleteService"))], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "deny of another action: implicit deny remains", policies: [doc(deny("apprunner:DeleteService"))], action: "apprunner:ListServices", resource: "*", expect: "ImplicitDeny" },
  { name: "allow in one of many policies", policies: [doc(allow("logs:*")), doc(allow("apprunner:ListServices"))], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "NotAction allows everything else", policies: [doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })], action: "apprunner:CreateService", resource: "*", expect: "Allow" },
  { name: "NotAction does not allow the listed action", policies: [doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })], action: "iam:CreateUser", resource: "*", expect: "ImplicitDeny" },
  { name: "Deny with NotAction denies what is not listed", policies: [doc(allow("*"), { Effect: "Deny", NotAction: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" })], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "Deny with NotAction leaves listed actions allowed", policies: [doc(allow("*"), { Effect: "Deny", NotAction: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" })], action: "apprunner:DescribeService", resource: SVC, expect: "Allow" },
  { name: "NotResource allows other resources", policies: [doc({ Effect: "Allow", Action: "apprunner:*", NotResource: OTHER_SVC })], action: "apprunner:DeleteService", resource: SVC, expect: "Allow" },
  { name: "NotResource does not allow the listed resource", policies: [doc({ Effect: "Allow", Action: "apprunner:*", NotResource: "arn:aws:apprunner:*:*:service/api/*" })], action: "apprunner:DeleteService", resource: OTHER_SVC, expect: "ImplicitDeny" },
  { name: "Deny with NotResource protects all but the sandbox", policies: [doc(allow("apprunner:*"), { Effect: "Deny", Action: "apprunner:DeleteService", NotResource: "arn:aws:apprunner:*:*:service/sandbox-*" })], action: "apprunner:DeleteService", resource: SVC, expect: "ExplicitDeny" },
  { name: "Deny with NotResource spares the sandbox", policies: [doc(allow("apprunner:*"), { Effect: "Deny", Action: "apprunner:DeleteService", NotResource: "arn:aws:apprunner:*:*:service/sandbox-*" })], action: "apprunner:DeleteService", resource: "arn:aws:apprunner:us-east-1:111122223333:service/sandbox-1/01", expect: "Allow" },
  { name: "NotAction with NotResource together", policies: [doc({ Effect: "Allow", NotAction: "iam:*", NotResource: "arn:aws:logs:*" })], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "single Statement object, 2008 version", policies: [JSON.stringify({ Version: "2008-10-17", Statement: allow("apprunner:ListServices") })], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "no Version at all is the 2008 grammar", policies: [JSON.stringify({ Statement: allow("apprunner:ListServices") })], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "condition false: the allow does not apply", policies: [doc(allow("apprunner:*", "*", { Condition: { Bool: { "aws:SecureTransport": "true" } } }))], action: "apprunner:ListServices", resource: "*", expect: "ImplicitDeny" },
  { name: "condition false: the deny does not apply", policies: [doc(allow("apprunner:*"), deny("apprunner:*", "*", { Condition: { Bool: { "aws:SecureTransport": "true" } } }))], action: "apprunner:ListServices", resource: "*", expect: "Allow" },
];

describe("evaluate: effects, actions and resources", () => {
  for (const c of cases) {
    it(c.name, () => {
      const policies = c.policies.map((p) => parsePolicy(p, "identity"));
      assert.equal(evaluate(policies, { action: c.action, resource: c.resource, context: contextOf({}) }), c.expect);
    });
  }

  it("answers the same for an action asked many times (the per-policy action index)", () => {
    const p = parsePolicy(doc(allow("apprunner:Describe*"), deny("apprunner:DescribeService", OTHER_SVC)), "identity");
    for (let i = 0; i < 3; i++) {
      assert.equal(evaluate([p], { action: "apprunner:DescribeService", resource: SVC, context: contextOf({}) }), "Allow");
      assert.equal(evaluate([p], { action: "apprunner:DescribeService", resource: OTHER_SVC, context: contextOf({}) }), "ExplicitDeny");
      assert.equal(evaluate([p], { action: "APPRUNNER:describeservice", resource: OTHER_SVC, context: contextOf({}) }), "ExplicitDeny");
    }
  });

  it("counts statements and names the context keys a caller must supply", () => {
    const p = parsePolicy(
      doc(
        allow("apprunner:*", "arn:aws:apprunner:*:*:service/${aws:username}/*"),
        deny("apprunner:*", "*", { Condition: { StringNotEquals: { "aws:RequestTag/Team": "${aws:PrincipalTag/Team}" } } }),
      ),
      "identity",
    );
    assert.equal(p.statementCount, 2);
    assert.deepEqual([...contextKeysOf([p])].sort(), ["aws:principaltag/team", "aws:requesttag/team", "aws:username"]);
  });
});
