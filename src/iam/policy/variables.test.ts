import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextOf, evaluate, parsePolicy } from "./engine.js";
import { STAR, tokenize } from "./pattern.js";

type Ctx = Record<string, string | string[]>;
interface Case {
  name: string;
  version?: string;
  statement: Record<string, unknown>;
  resource: string;
  ctx: Ctx;
  allowed: boolean;
}

const ACCT = "111122223333";
const svc = (name: string): string => `arn:aws:apprunner:us-east-1:${ACCT}:service/${name}/0123`;
const ALICE: Ctx = { "aws:username": "alice", "aws:userid": "AIDAEXAMPLEALICE12345", "aws:PrincipalTag/team": "web" };

const cases: Case[] = [
  { name: "${aws:username} in a resource", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("alice"), ctx: ALICE, allowed: true },
  { name: "${aws:username} in a resource: another user's service", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("bob"), ctx: ALICE, allowed: false },
  { name: "variable names are case-insensitive", statement: { Resource: "arn:aws:apprunner:*:*:service/${AWS:UserName}/*" }, resource: svc("alice"), ctx: ALICE, allowed: true },
  { name: "variable missing: the statement does not apply", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("alice"), ctx: {}, allowed: false },
  { name: "variable with a default when missing", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username, 'shared'}/*" }, resource: svc("shared"), ctx: {}, allowed: true },
  { name: "default unused when the key has a value", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username, 'shared'}/*" }, resource: svc("shared"), ctx: ALICE, allowed: false },
  { name: "default with a doubled quote", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username, 'o''k'}/*" }, resource: svc("o'k"), ctx: {}, allowed: true },
  { name: "${aws:userid} in a resource", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:userid}/*" }, resource: svc("AIDAEXAMPLEALICE12345"), ctx: ALICE, allowed: true },
  { name: "${aws:PrincipalTag/team} in a resource", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:PrincipalTag/team}-*" }, resource: svc("web-frontend"), ctx: ALICE, allowed: true },
  { name: "a variable's value is literal, not a wildcard", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("alice"), ctx: { "aws:username": "*" }, allowed: false },
  { name: "${*} is a literal star", statement: { Resource: "arn:aws:apprunner:*:*:service/a${*}b/*" }, resource: svc("a*b"), ctx: {}, allowed: true },
  { name: "${*} does not match anything else", statement: { Resource: "arn:aws:apprunner:*:*:service/a${*}b/*" }, resource: svc("axyzb"), ctx: {}, allowed: false },
  { name: "${?} is a literal question mark", statement: { Resource: "arn:aws:apprunner:*:*:service/a${?}/*" }, resource: svc("a?"), ctx: {}, allowed: true },
  { name: "${$} is a literal dollar", statement: { Resource: "arn:aws:apprunner:*:*:service/${$}{x}/*" }, resource: svc("${x}"), ctx: {}, allowed: true },
  { name: "2008-10-17 does not substitute variables", version: "2008-10-17", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("alice"), ctx: ALICE, allowed: false },
  { name: "2008-10-17 reads ${...} literally", version: "2008-10-17", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" }, resource: svc("${aws:username}"), ctx: ALICE, allowed: true },
  { name: "a multi-valued key is not a variable", statement: { Resource: "arn:aws:apprunner:*:*:service/${aws:TagKeys}/*" }, resource: svc("a"), ctx: { "aws:TagKeys": ["a", "b"] }, allowed: false },
  { name: "variable in a StringEquals value", statement: { Condition: { StringEquals: { "apprunner:ResourceTag/Owner": "${aws:username}" } } }, resource: svc("x"), ctx: { ...ALICE, "apprunner:ResourceTag/Owner": "alice" }, allowed: true },
  { name: "variable in a StringEquals value: other owner", statement: { Condition: { StringEquals: { "apprunner:ResourceTag/Owner": "${aws:username}" } } }, resource: svc("x"), ctx: { ...ALICE, "apprunner:ResourceTag/Owner": "bob" }, allowed: false },
  { name: "variable in a StringLike value with wildcards around it", statement: { Condition: { StringLike: { "aws:RequestTag/Name": "*-${aws:PrincipalTag/team}-*" } } }, resource: "*", ctx: { ...ALICE, "aws:RequestTag/Name": "svc-web-1" }, allowed: true },
  { name: "variable in an ArnLike value", statement: { Condition: { ArnLike: { "apprunner:VpcConnectorArn": "arn:aws:apprunner:*:*:vpcconnector/${aws:username}/*" } } }, resource: "*", ctx: { ...ALICE, "apprunner:VpcConnectorArn": `arn:aws:apprunner:us-east-1:${ACCT}:vpcconnector/alice/1/abc` }, allowed: true },
  { name: "unresolved variable in a negated condition: the statement does not apply", statement: { Condition: { StringNotEquals: { "aws:RequestTag/Team": "${aws:PrincipalTag/team}" } } }, resource: "*", ctx: { "aws:RequestTag/Team": "api" }, allowed: false },
  { name: "${aws:CurrentTime} compared as text", statement: { Condition: { StringEquals: { "aws:RequestTag/At": "${aws:CurrentTime}" } } }, resource: "*", ctx: { "aws:CurrentTime": "2026-12-05T10:00:00Z", "aws:RequestTag/At": "2026-12-05T10:00:00Z" }, allowed: true },
  { name: "variable in Bool", statement: { Condition: { Bool: { "aws:SecureTransport": "${aws:PrincipalTag/tls}" } } }, resource: "*", ctx: { "aws:SecureTransport": "true", "aws:PrincipalTag/tls": "TRUE" }, allowed: true },
];

describe("policy variables", () => {
  for (const c of cases) {
    it(c.name, () => {
      const statement = { Effect: "Allow", Action: "apprunner:*", Resource: "*", ...c.statement };
      const p = parsePolicy(JSON.stringify({ Version: c.version ?? "2012-10-17", Statement: [statement] }), "identity");
      const decision = evaluate([p], { action: "apprunner:DeleteService", resource: c.resource, context: contextOf(c.ctx) });
      assert.equal(decision, c.allowed ? "Allow" : "ImplicitDeny");
    });
  }

  it("a Deny whose variable has no value does not apply either", () => {
    const p = parsePolicy(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "apprunner:*", Resource: "*" },
          { Effect: "Deny", Action: "apprunner:*", Resource: "arn:aws:apprunner:*:*:service/${aws:username}/*" },
        ],
      }),
      "identity",
    );
    const ask = (ctx: Ctx): string => evaluate([p], { action: "apprunner:DeleteService", resource: svc("alice"), context: contextOf(ctx) });
    assert.equal(ask(ALICE), "ExplicitDeny");
    assert.equal(ask({}), "Allow");
  });

  it("tokenizes escapes, defaults and wildcards; a malformed ${ stays literal", () => {
    const opts = { wildcards: true, variables: true };
    assert.deepEqual(tokenize("a*${*}b", opts), ["a", STAR, "*b"]);
    assert.deepEqual(tokenize("x/${ aws:username , 'd' }", opts), ["x/", { key: "aws:username", fallback: "d" }]);
    assert.deepEqual(tokenize("${aws:username", opts), ["${aws:username"]);
    assert.deepEqual(tokenize("${aws:username, 'it's'}", opts), ["${aws:username, 'it's'}"]);
    assert.deepEqual(tokenize("a*b", { wildcards: false, variables: true }), ["a*b"]);
  });
});
