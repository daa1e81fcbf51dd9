import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parsePolicy } from "./engine.js";
import type { PolicyKind } from "./types.js";

const OK = { Effect: "Allow", Action: "apprunner:ListServices", Resource: "*" };
const TRUST_OK = { Effect: "Allow", Principal: { Service: "tasks.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" };
const policy = (...statements: unknown[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

interface Case {
  name: string;
  text: string;
  kind?: PolicyKind;
  /** The message IAM would answer with; undefined when the document is accepted. */
  error?: string | RegExp;
}

const cases: Case[] = [
  { name: "not JSON", text: "{ Version: 2012", error: "Syntax errors in policy." },
  { name: "a JSON array", text: "[]", error: "Syntax errors in policy." },
  { name: "a JSON string", text: '"policy"', error: "Syntax errors in policy." },
  { name: "unknown top-level element", text: JSON.stringify({ Version: "2012-10-17", Statement: [OK], Extra: 1 }), error: "Syntax errors in policy." },
  { name: "unknown Version", text: JSON.stringify({ Version: "2012-10-18", Statement: [OK] }), error: "The policy failed legacy parsing" },
  { name: "Version not a string", text: JSON.stringify({ Version: 2012, Statement: [OK] }), error: "The policy failed legacy parsing" },
  { name: "Id must be a string", text: JSON.stringify({ Version: "2012-10-17", Id: 7, Statement: [OK] }), error: "Syntax errors in policy." },
  { name: "Id accepted", text: JSON.stringify({ Version: "2012-10-17", Id: "my-policy", Statement: [OK] }) },
  { name: "missing Statement", text: JSON.stringify({ Version: "2012-10-17" }), error: "Syntax errors in policy." },
  { name: "empty Statement list", text: policy(), error: "Syntax errors in policy." },
  { name: "Statement not an object", text: policy("Allow"), error: "Syntax errors in policy." },
  { name: "unknown statement element", text: policy({ ...OK, Effects: "Allow" }), error: "Syntax errors in policy." },
  { name: "missing Effect", text: policy({ Action: "apprunner:*", Resource: "*" }), error: "Missing required field Effect" },
  { name: "Effect is case-sensitive", text: policy({ ...OK, Effect: "allow" }), error: "Invalid effect: allow" },
  { name: "missing Action", text: policy({ Effect: "Allow", Resource: "*" }), error: "Policy statement must contain actions." },
  { name: "empty Action list", text: policy({ ...OK, Action: [] }), error: "Policy statement must contain actions." },
  { name: "Action and NotAction together", text: policy({ ...OK, NotAction: "iam:*" }), error: "Statement cannot contain both Action and NotAction." },
  { name: "Action without a vendor", text: policy({ ...OK, Action: "ListServices" }), error: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." },
  { name: "the guide's typo apprunner>DeleteConnection has no vendor", text: policy({ ...OK, Action: ["apprunner:List*", "apprunner>DeleteConnection"] }), error: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." },
  { name: "Action vendor with a wildcard", text: policy({ ...OK, Action: "app*:List*" }), error: "Vendor app* is not valid" },
  { name: "Action not a string", text: policy({ ...OK, Action: [1] }), error: "Syntax errors in policy." },
  { name: "missing Resource in an identity policy", text: policy({ Effect: "Allow", Action: "apprunner:*" }), error: "Policy statement must contain resources." },
  { name: "Resource and NotResource together", text: policy({ ...OK, NotResource: "arn:aws:logs:*" }), error: "Statement cannot contain both Resource and NotResource." },
  { name: "Resource not an ARN", text: policy({ ...OK, Resource: "service/web" }), error: 'Resource service/web must be in ARN format or "*".' },
  { name: "Resource with a wildcard vendor", text: policy({ ...OK, Resource: "arn:aws:*:us-east-1:1:service/x" }), error: "Resource vendor must be fully qualified and cannot contain regexes." },
  { name: "Principal in an identity policy", text: policy({ ...OK, Principal: "*" }), error: "Policy document should not specify a principal." },
  { name: "NotPrincipal in an identity policy", text: policy({ ...OK, NotPrincipal: { AWS: "111122223333" } }), error: "Policy document should not specify a principal." },
  { name: "Sid must be alphanumeric", text: policy({ ...OK, Sid: "allow list" }), error: /^Statement IDs \(SID\) must be alpha-numeric/ },
  { name: "Sids must be unique", text: policy({ ...OK, Sid: "A" }, { ...OK, Sid: "A" }), error: "Statement IDs (SID) in a single policy must be unique." },
  { name: "Sid accepted", text: policy({ ...OK, Sid: "AllowList1" }, { ...OK, Sid: "AllowList2" }) },
  { name: "unknown condition operator", text: policy({ ...OK, Condition: { StringEqualz: { "aws:username": "a" } } }), error: "Invalid Condition type : StringEqualz" },
  { name: "unknown set prefix", text: policy({ ...OK, Condition: { "ForSomeValues:StringEquals": { "aws:TagKeys": "a" } } }), error: "Invalid Condition type : ForSomeValues:StringEquals" },
  { name: "NullIfExists is not an operator", text: policy({ ...OK, Condition: { NullIfExists: { "aws:username": "true" } } }), error: "Invalid Condition type : NullIfExists" },
  { name: "condition key without a vendor", text: policy({ ...OK, Condition: { StringEquals: { username: "a" } } }), error: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." },
  { name: "condition value an object", text: policy({ ...OK, Condition: { StringEquals: { "aws:username": { a: 1 } } } }), error: "Syntax errors in policy." },
  { name: "Condition not an object", text: policy({ ...OK, Condition: "yes" }), error: "Syntax errors in policy." },
  { name: "numeric operator with a word", text: policy({ ...OK, Condition: { NumericLessThan: { "apprunner:MaxSize": "ten" } } }), error: "Invalid value for condition operator NumericLessThan: ten" },
  { name: "date operator with a non-date", text: policy({ ...OK, Condition: { DateLessThan: { "aws:CurrentTime": "soon" } } }), error: "Invalid value for condition operator DateLessThan: soon" },
  { name: "IpAddress with a bad block", text: policy({ ...OK, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/33" } } }), error: "Invalid value for condition operator IpAddress: 10.0.0.0/33" },
  { name: "Null with a non-boolean", text: policy({ ...OK, Condition: { Null: { "aws:username": "maybe" } } }), error: /^Invalid value for condition operator Null/ },
  { name: "every operator name is accepted", text: policy({ ...OK, Condition: { StringEqualsIgnoreCaseIfExists: { "aws:username": "a" }, "ForAnyValue:ArnNotLikeIfExists": { "apprunner:ConnectionArn": "arn:aws:apprunner:*:*:connection/*" }, BinaryEquals: { "x:y": "QQ==" } } }) },
  { name: "trust policy without Principal", kind: "trust", text: policy({ Effect: "Allow", Action: "sts:AssumeRole" }), error: "Missing required field Principal" },
  { name: "trust policy with Resource", kind: "trust", text: policy({ ...TRUST_OK, Resource: "*" }), error: "Has prohibited field Resource" },
  { name: "trust policy with Principal and NotPrincipal", kind: "trust", text: policy({ ...TRUST_OK, NotPrincipal: "*" }), error: "Statement cannot contain both Principal and NotPrincipal." },
  { name: "trust policy with an unknown principal kind", kind: "trust", text: policy({ ...TRUST_OK, Principal: { Robot: "r2d2" } }), error: 'Invalid principal in policy: "Robot"' },
  { name: "trust policy with a malformed AWS principal", kind: "trust", text: policy({ ...TRUST_OK, Principal: { AWS: "alice" } }), error: 'Invalid principal in policy: "AWS":"alice"' },
  { name: "trust policy accepted", kind: "trust", text: policy(TRUST_OK) },
];

describe("parsePolicy: what IAM accepts and refuses", () => {
  for (const c of cases) {
    it(c.name, () => {
      const kind = c.kind ?? "identity";
      if (c.error === undefined) {
        assert.equal(parsePolicy(c.text, kind).kind, kind);
        return;
      }
      assert.throws(
        () => parsePolicy(c.text, kind),
        (err: unknown) => {
          assert.ok(err instanceof AppRunnerError);
          assert.equal(err.code, "MalformedPolicyDocument");
          assert.equal(err.awsType, "MalformedPolicyDocumentException");
          if (typeof c.error === "string") assert.equal(err.message, c.error);
          else assert.match(err.message, c.error as RegExp);
          return true;
        },
      );
    });
  }
});
