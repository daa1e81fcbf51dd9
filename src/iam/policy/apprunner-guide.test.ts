import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextOf, evaluate, parsePolicy, trustAllows } from "./engine.js";
import type { CompiledPolicy, Decision, RequestPrincipal } from "./types.js";

/*
 * Every policy document of the App Runner Developer Guide's IAM chapter (AWS managed policies,
 * the access and instance roles' trust policies, the service-linked role's policy and the
 * identity-based policy examples), each run against requests it must allow and must refuse.
 */

const ACCT = "111122223333";
const ARN = `arn:aws:apprunner:us-east-1:${ACCT}`;
const SERVICE = `${ARN}:service/web/8fe1e10304f84fd2b0df550fe98a71fa`;
const PREPROD = `${ARN}:service/preprod/0123456789abcdef`;

const READ_ONLY = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["apprunner:List*", "apprunner:Describe*"], "Resource": "*" }
  ]
}`;

const FULL_ACCESS = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:CreateServiceLinkedRole",
      "Resource": "arn:aws:iam::*:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner",
      "Condition": { "StringLike": { "iam:AWSServiceName": "apprunner.amazonaws.com" } }
    },
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "*",
      "Condition": { "StringLike": { "iam:PassedToService": "apprunner.amazonaws.com" } }
    },
    { "Effect": "Allow", "Action": ["kms:DescribeKey", "kms:CreateGrant"], "Resource": "*" },
    { "Sid": "AppRunnerAdminAccess", "Effect": "Allow", "Action": "apprunner:*", "Resource": "*" }
  ]
}`;

const ECR_ACCESS = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:GetAuthorizationToken"
      ],
      "Resource": "*"
    }
  ]
}`;

const serviceTrust = (service: string): string =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "${service}"}, "Action": "sts:AssumeRole"}]}`;

const SERVICE_ROLE_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], "Effect": "Allow", "Resource": "arn:aws:logs:*:*:log-group:/aws/apprunner/*" },
    {
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      "Resource": ["arn:aws:logs:*:*:log-group:/aws/apprunner/*:log-stream:*"]
    },
    {
      "Effect": "Allow",
      "Action": ["events:PutRule", "events:PutTargets", "events:DeleteRule", "events:RemoveTargets", "events:DescribeRule", "events:EnableRule", "events:DisableRule"],
      "Resource": "arn:aws:events:*:*:rule/AWSAppRunnerManagedRule*"
    }
  ]
}`;

// "apprunner>DeleteConnection" in the guide's text is a typesetting slip for the colon (see parse.test.ts).
const CONSOLE_AND_CONNECTIONS = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["apprunner:List*", "apprunner:Describe*", "apprunner:CreateConnection", "apprunner:DeleteConnection"], "Resource": "*" }
  ]
}`;

const NON_PROD_CONNECTIONS = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowCreateAppRunnerServiceWithNonProdConnections",
      "Effect": "Allow",
      "Action": "apprunner:CreateService",
      "Resource": "*",
      "Condition": { "ArnNotLike": { "apprunner:ConnectionArn": "arn:aws:apprunner:*:*:connection/prod/*" } }
    }
  ]
}`;

const PREPROD_UPDATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowUpdatePreProdAppRunnerServiceWithPreProdASConfig",
      "Effect": "Allow",
      "Action": "apprunner:UpdateService",
      "Resource": "arn:aws:apprunner:*:*:service/preprod/*",
      "Condition": {
        "ArnLike": { "apprunner:AutoScalingConfigurationArn": "arn:aws:apprunner:*:*:autoscalingconfiguration/preprod/*" }
      }
    }
  ]
}`;

const DELETE_IF_OWNER = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "ListServicesInConsole", "Effect": "Allow", "Action": "apprunner:ListServices", "Resource": "*" },
    {
      "Sid": "DeleteServiceIfOwner",
      "Effect": "Allow",
      "Action": "apprunner:DeleteService",
      "Resource": "arn:aws:apprunner:*:*:service/*",
      "Condition": { "StringEquals": { "apprunner:ResourceTag/Owner": "\${aws:username}" } }
    }
  ]
}`;

interface Case {
  name: string;
  action: string;
  resource: string;
  ctx?: Record<string, string | string[]>;
  expect: Decision;
}

function table(title: string, text: string, cases: readonly Case[]): void {
  describe(title, () => {
    const policy: CompiledPolicy = parsePolicy(text, "identity");
    for (const c of cases) {
      it(c.name, () => assert.equal(evaluate([policy], { action: c.action, resource: c.resource, context: contextOf(c.ctx ?? {}) }), c.expect));
    }
  });
}

table("AWSAppRunnerReadOnlyAccess", READ_ONLY, [
  { name: "ListServices allowed", action: "apprunner:ListServices", resource: "*", expect: "Allow" },
  { name: "DescribeService allowed", action: "apprunner:DescribeService", resource: SERVICE, expect: "Allow" },
  { name: "DescribeAutoScalingConfiguration allowed", action: "apprunner:DescribeAutoScalingConfiguration", resource: `${ARN}:autoscalingconfiguration/preprod/1/abc`, expect: "Allow" },
  { name: "ListOperations allowed", action: "apprunner:ListOperations", resource: SERVICE, expect: "Allow" },
  { name: "CreateService refused", action: "apprunner:CreateService", resource: "*", expect: "ImplicitDeny" },
  { name: "DeleteService refused", action: "apprunner:DeleteService", resource: SERVICE, expect: "ImplicitDeny" },
  { name: "UpdateService refused", action: "apprunner:UpdateService", resource: SERVICE, expect: "ImplicitDeny" },
  { name: "another service's List refused", action: "logs:ListTagsForResource", resource: "*", expect: "ImplicitDeny" },
]);

table("AWSAppRunnerFullAccess", FULL_ACCESS, [
  { name: "CreateService allowed", action: "apprunner:CreateService", resource: "*", expect: "Allow" },
  { name: "DeleteService allowed", action: "apprunner:DeleteService", resource: SERVICE, expect: "Allow" },
  { name: "PassRole to App Runner allowed", action: "iam:PassRole", resource: `arn:aws:iam::${ACCT}:role/app`, ctx: { "iam:PassedToService": "apprunner.amazonaws.com" }, expect: "Allow" },
  { name: "PassRole to another service refused", action: "iam:PassRole", resource: `arn:aws:iam::${ACCT}:role/app`, ctx: { "iam:PassedToService": "ec2.amazonaws.com" }, expect: "ImplicitDeny" },
  { name: "PassRole without iam:PassedToService refused", action: "iam:PassRole", resource: `arn:aws:iam::${ACCT}:role/app`, expect: "ImplicitDeny" },
  { name: "CreateServiceLinkedRole for App Runner allowed", action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${ACCT}:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner`, ctx: { "iam:AWSServiceName": "apprunner.amazonaws.com" }, expect: "Allow" },
  { name: "CreateServiceLinkedRole for another service refused", action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${ACCT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`, ctx: { "iam:AWSServiceName": "ecs.amazonaws.com" }, expect: "ImplicitDeny" },
  { name: "kms:CreateGrant allowed", action: "kms:CreateGrant", resource: `arn:aws:kms:us-east-1:${ACCT}:key/1234`, expect: "Allow" },
  { name: "iam:CreateUser refused", action: "iam:CreateUser", resource: `arn:aws:iam::${ACCT}:user/eve`, expect: "ImplicitDeny" },
  { name: "iam:AttachUserPolicy refused (no self-escalation)", action: "iam:AttachUserPolicy", resource: `arn:aws:iam::${ACCT}:user/alice`, expect: "ImplicitDeny" },
]);

table("AWSAppRunnerServicePolicyForECRAccess", ECR_ACCESS, [
  { name: "GetAuthorizationToken allowed", action: "ecr:GetAuthorizationToken", resource: "*", expect: "Allow" },
  { name: "BatchGetImage allowed", action: "ecr:BatchGetImage", resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/web`, expect: "Allow" },
  { name: "GetDownloadUrlForLayer allowed", action: "ecr:GetDownloadUrlForLayer", resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/web`, expect: "Allow" },
  { name: "PutImage refused", action: "ecr:PutImage", resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/web`, expect: "ImplicitDeny" },
  { name: "DeleteRepository refused", action: "ecr:DeleteRepository", resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/web`, expect: "ImplicitDeny" },
]);

table("AppRunnerServiceRolePolicy (the service-linked role)", SERVICE_ROLE_POLICY, [
  { name: "CreateLogGroup under /aws/apprunner allowed", action: "logs:CreateLogGroup", resource: `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/apprunner/web/8fe1/service`, expect: "Allow" },
  { name: "CreateLogGroup elsewhere refused", action: "logs:CreateLogGroup", resource: `arn:aws:logs:us-east-1:${ACCT}:log-group:/other`, expect: "ImplicitDeny" },
  { name: "PutLogEvents on an App Runner stream allowed", action: "logs:PutLogEvents", resource: `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/apprunner/web/8fe1/application:log-stream:instance/1`, expect: "Allow" },
  { name: "PutRule on a managed rule allowed", action: "events:PutRule", resource: `arn:aws:events:us-east-1:${ACCT}:rule/AWSAppRunnerManagedRuleForECRImagePush`, expect: "Allow" },
  { name: "PutRule on a customer rule refused", action: "events:PutRule", resource: `arn:aws:events:us-east-1:${ACCT}:rule/mine`, expect: "ImplicitDeny" },
  { name: "DeleteLogGroup refused", action: "logs:DeleteLogGroup", resource: `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/apprunner/web/8fe1/service`, expect: "ImplicitDeny" },
]);

table("Example: console and connection management user policy", CONSOLE_AND_CONNECTIONS, [
  { name: "ListConnections allowed", action: "apprunner:ListConnections", resource: "*", expect: "Allow" },
  { name: "CreateConnection allowed", action: "apprunner:CreateConnection", resource: `${ARN}:connection/gh/abc`, expect: "Allow" },
  { name: "DeleteConnection allowed", action: "apprunner:DeleteConnection", resource: `${ARN}:connection/gh/abc`, expect: "Allow" },
  { name: "CreateService refused", action: "apprunner:CreateService", resource: "*", expect: "ImplicitDeny" },
  { name: "DeleteService refused", action: "apprunner:DeleteService", resource: SERVICE, expect: "ImplicitDeny" },
]);

table("Example: create services with non-prod connections only", NON_PROD_CONNECTIONS, [
  { name: "dev connection allowed", action: "apprunner:CreateService", resource: SERVICE, ctx: { "apprunner:ConnectionArn": `${ARN}:connection/dev/0a1b2c` }, expect: "Allow" },
  { name: "prod connection refused", action: "apprunner:CreateService", resource: SERVICE, ctx: { "apprunner:ConnectionArn": `${ARN}:connection/prod/0a1b2c` }, expect: "ImplicitDeny" },
  { name: "prod connection in another region refused", action: "apprunner:CreateService", resource: SERVICE, ctx: { "apprunner:ConnectionArn": `arn:aws:apprunner:eu-west-1:${ACCT}:connection/prod/0a1b2c` }, expect: "ImplicitDeny" },
  { name: "image service without a connection allowed", action: "apprunner:CreateService", resource: SERVICE, expect: "Allow" },
  { name: "UpdateService refused", action: "apprunner:UpdateService", resource: SERVICE, ctx: { "apprunner:ConnectionArn": `${ARN}:connection/dev/0a1b2c` }, expect: "ImplicitDeny" },
]);

table("Example: update preprod only with the preprod auto scaling configuration", PREPROD_UPDATE, [
  { name: "preprod with preprod ASC allowed", action: "apprunner:UpdateService", resource: PREPROD, ctx: { "apprunner:AutoScalingConfigurationArn": `${ARN}:autoscalingconfiguration/preprod/2/0123456789abcdef` }, expect: "Allow" },
  { name: "preprod with the default ASC refused", action: "apprunner:UpdateService", resource: PREPROD, ctx: { "apprunner:AutoScalingConfigurationArn": `${ARN}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001` }, expect: "ImplicitDeny" },
  { name: "preprod without an ASC in the request refused", action: "apprunner:UpdateService", resource: PREPROD, expect: "ImplicitDeny" },
  { name: "another service with the preprod ASC refused", action: "apprunner:UpdateService", resource: SERVICE, ctx: { "apprunner:AutoScalingConfigurationArn": `${ARN}:autoscalingconfiguration/preprod/2/0123456789abcdef` }, expect: "ImplicitDeny" },
  { name: "DeleteService on preprod refused", action: "apprunner:DeleteService", resource: PREPROD, ctx: { "apprunner:AutoScalingConfigurationArn": `${ARN}:autoscalingconfiguration/preprod/2/0123456789abcdef` }, expect: "ImplicitDeny" },
]);

const RICHARD = { "aws:username": "richard-roe" };
table("Example: delete a service only when its Owner tag is the user's name", DELETE_IF_OWNER, [
  { name: "tagged Owner=richard-roe: allowed", action: "apprunner:DeleteService", resource: SERVICE, ctx: { ...RICHARD, "apprunner:ResourceTag/Owner": "richard-roe" }, expect: "Allow" },
  { name: "tag key owner (lower case) matches too", action: "apprunner:DeleteService", resource: SERVICE, ctx: { ...RICHARD, "apprunner:resourcetag/owner": "richard-roe" }, expect: "Allow" },
  { name: "tagged with another owner: refused", action: "apprunner:DeleteService", resource: SERVICE, ctx: { ...RICHARD, "apprunner:ResourceTag/Owner": "jane-doe" }, expect: "ImplicitDeny" },
  { name: "tag value compared case-sensitively: refused", action: "apprunner:DeleteService", resource: SERVICE, ctx: { ...RICHARD, "apprunner:ResourceTag/Owner": "Richard-Roe" }, expect: "ImplicitDeny" },
  { name: "untagged service: refused", action: "apprunner:DeleteService", resource: SERVICE, ctx: RICHARD, expect: "ImplicitDeny" },
  { name: "a role session has no aws:username: refused", action: "apprunner:DeleteService", resource: SERVICE, ctx: { "apprunner:ResourceTag/Owner": "richard-roe" }, expect: "ImplicitDeny" },
  { name: "ListServices allowed for the console", action: "apprunner:ListServices", resource: "*", ctx: RICHARD, expect: "Allow" },
  { name: "PauseService refused", action: "apprunner:PauseService", resource: SERVICE, ctx: { ...RICHARD, "apprunner:ResourceTag/Owner": "richard-roe" }, expect: "ImplicitDeny" },
]);

describe("the access and instance roles' trust policies", () => {
  const service = (id: string): RequestPrincipal => ({ type: "Service", ids: [id] });
  const user: RequestPrincipal = { type: "AWS", ids: [`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${ACCT}:root`, ACCT] };
  const access = parsePolicy(serviceTrust("build.apprunner.amazonaws.com"), "trust");
  const instance = parsePolicy(serviceTrust("tasks.apprunner.amazonaws.com"), "trust");
  const ctx = contextOf({});
  it("the access role trusts build.apprunner.amazonaws.com", () => assert.equal(trustAllows(access, service("build.apprunner.amazonaws.com"), ctx), true));
  it("the access role does not trust tasks.apprunner.amazonaws.com", () => assert.equal(trustAllows(access, service("tasks.apprunner.amazonaws.com"), ctx), false));
  it("the instance role trusts tasks.apprunner.amazonaws.com", () => assert.equal(trustAllows(instance, service("tasks.apprunner.amazonaws.com"), ctx), true));
  it("the instance role does not trust an IAM user", () => assert.equal(trustAllows(instance, user, ctx), false));
  it("the guide's trust policies are not identity policies", () => {
    assert.throws(() => parsePolicy(serviceTrust("tasks.apprunner.amazonaws.com"), "identity"), /should not specify a principal/);
  });
});
