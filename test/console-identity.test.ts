import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AppRunnerServiceException } from "@aws-sdk/client-apprunner";
import { AwsApiError, fieldErrors, isAccessDenied, problemOf } from "../console/src/api/errors.js";
import { identityLabel, identityText } from "../console/src/api/identity-label.js";
import { xmlText } from "../console/src/api/xml-text.js";

/** The console's pure decisions about who is signed in and what a denial looks like (no browser). */
describe("console: identities and denials", () => {
  it("names the principal of an ARN as the header shows it", () => {
    const table: [string, string][] = [
      ["arn:aws:iam::123456789012:root", "root"],
      ["arn:aws:iam::123456789012:user/alice", "alice (IAM user)"],
      ["arn:aws:iam::123456789012:user/division/team/ci-bot", "ci-bot (IAM user)"],
      ["arn:aws:sts::123456789012:assumed-role/deployer/role-session", "role-session (assumed role deployer)"],
      ["arn:aws:sts::123456789012:assumed-role/path-less/i-0abc@example.com", "i-0abc@example.com (assumed role path-less)"],
      ["arn:aws:sts::123456789012:federated-user/bob", "bob (federated user)"],
      ["arn:aws-cn:iam::123456789012:user/li", "li (IAM user)"],
      ["arn:aws:iam::123456789012:something/else", "something/else (principal)"],
      ["not-an-arn", "not-an-arn (principal)"],
    ];
    for (const [arn, shown] of table) assert.equal(identityText(identityLabel(arn)), shown, arn);
  });

  it("reads GetCallerIdentity's answer and an awsQuery ErrorResponse", () => {
    const ok =
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
      "<Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>" +
      "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
    assert.equal(xmlText(ok, "Arn"), "arn:aws:iam::123456789012:user/a&b");
    assert.equal(xmlText(ok, "UserId"), "AIDAEXAMPLE");
    assert.equal(xmlText(ok, "Account"), "123456789012");
    assert.equal(xmlText(ok, "Missing"), undefined);
    const denied =
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
      "<Message>User: arn:aws:iam::1:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::1:user/y because no identity-based policy allows the iam:CreateUser action</Message>" +
      "</Error><RequestId>r</RequestId></ErrorResponse>";
    assert.equal(xmlText(denied, "Code"), "AccessDenied");
    assert.equal(xmlText("<M>&lt;&#65;&#x42;&quot;&apos;&gt;&bogus;</M>", "M"), "<AB\"'>&bogus;");
  });

  it("tells a denial from other errors by its AWS type, and takes the action from AWS's message", () => {
    const message = "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: apprunner:CreateService on resource: * because no identity-based policy allows the apprunner:CreateService action";
    // App Runner's model has no AccessDeniedException: the SDK names its generic exception by the answer's __type.
    const sdkDenied = new AppRunnerServiceException({ name: "AccessDeniedException", $fault: "client", message, $metadata: {} });
    const explicit = new AwsApiError("AccessDenied", "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: logs:FilterLogEvents on resource: arn:aws:logs:us-east-1:1:log-group:/x:* with an explicit deny in an identity-based policy", 403);
    const table: [unknown, ReturnType<typeof problemOf>][] = [
      [sdkDenied, { message, denied: { action: "apprunner:CreateService" } }],
      [new AwsApiError("AccessDeniedException", message, 403), { message, denied: { action: "apprunner:CreateService" } }],
      [explicit, { message: explicit.message, denied: { action: "logs:FilterLogEvents" } }],
      [new AwsApiError("AccessDeniedException", "", 403), { message: "AccessDeniedException", denied: { action: undefined } }],
      [new AwsApiError("InvalidRequestException", message, 400), { message }],
      [new AppRunnerServiceException({ name: "ServiceQuotaExceededException", $fault: "client", message: "too many", $metadata: {} }), { message: "too many" }],
      ["plain", { message: "plain" }],
    ];
    for (const [err, expected] of table) assert.deepEqual(problemOf(err), expected, String(err));
    assert.equal(isAccessDenied(new Error("AccessDenied")), false, "a message is not a type");
  });

  it("never puts a denial at a field, though its message names the action's resource type", () => {
    const err = new AwsApiError("AccessDeniedException", "User: arn:aws:iam::1:user/a is not authorized to perform: apprunner:CreateConnection on resource: * because no identity-based policy allows the apprunner:CreateConnection action", 403);
    assert.deepEqual(Object.keys(fieldErrors(err, { name: { paths: ["connectionName"], words: /name|connections?/i } })), ["form"]);
  });
});
