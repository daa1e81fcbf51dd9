/**
 * AWS managed policies OpenRunner ships, with AWS's documents: App Runner's four as the App
 * Runner Developer Guide prints them (AWSAppRunnerFullAccess's closing brace, lost at a page
 * break in the guide, restored), and AdministratorAccess and IAMFullAccess so a first
 * administrator can be made without writing a policy.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  description: string;
  document: object;
}

const V = "2012-10-17";

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: "AWSAppRunnerReadOnlyAccess",
    path: "/",
    description: "Grants permissions to list and view details about App Runner resources.",
    document: { Version: V, Statement: [{ Effect: "Allow", Action: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" }] },
  },
  {
    name: "AWSAppRunnerFullAccess",
    path: "/",
    description: "Grants permissions to all App Runner actions.",
    document: {
      Version: V,
      Statement: [
        {
          Effect: "Allow",
          Action: "iam:CreateServiceLinkedRole",
          Resource: "arn:aws:iam::*:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner",
          Condition: { StringLike: { "iam:AWSServiceName": "apprunner.amazonaws.com" } },
        },
        { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringLike: { "iam:PassedToService": "apprunner.amazonaws.com" } } },
        { Effect: "Allow", Action: ["kms:DescribeKey", "kms:CreateGrant"], Resource: "*" },
        { Sid: "AppRunnerAdminAccess", Effect: "Allow", Action: "apprunner:*", Resource: "*" },
      ],
    },
  },
  {
    name: "AWSAppRunnerServicePolicyForECRAccess",
    path: "/service-role/",
    description: "This policy grants AWS App Runner permissions to read images from Amazon ECR in the account.",
    document: {
      Version: V,
      Statement: [
        {
          Effect: "Allow",
          Action: ["ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetAuthorizationToken"],
          Resource: "*",
        },
      ],
    },
  },
  {
    name: "AppRunnerServiceRolePolicy",
    path: "/aws-service-role/",
    description: "Enables access to AWS Services and Resources used or managed by App Runner",
    document: {
      Version: V,
      Statement: [
        { Action: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], Effect: "Allow", Resource: "arn:aws:logs:*:*:log-group:/aws/apprunner/*" },
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: ["arn:aws:logs:*:*:log-group:/aws/apprunner/*:log-stream:*"],
        },
        {
          Effect: "Allow",
          Action: ["events:PutRule", "events:PutTargets", "events:DeleteRule", "events:RemoveTargets", "events:DescribeRule", "events:EnableRule", "events:DisableRule"],
          Resource: "arn:aws:events:*:*:rule/AWSAppRunnerManagedRule*",
        },
      ],
    },
  },
  {
    name: "AdministratorAccess",
    path: "/",
    description: "Provides full access to AWS services and resources.",
    document: { Version: V, Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  },
  {
    name: "IAMFullAccess",
    path: "/",
    description: "Provides full access to IAM via the AWS Management Console.",
    document: {
      Version: V,
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
          ],
          Resource: "*",
        },
      ],
    },
  },
];
