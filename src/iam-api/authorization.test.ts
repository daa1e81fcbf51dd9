import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { Store } from "../store/store.js";
import { iamAuthorization } from "./authorization.js";

const A = "123456789012";
const ME: Principal = { accessKeyId: "AKIAME", accountId: A, arn: `arn:aws:iam::${A}:user/team/me`, type: "IAMUser", userId: "AIDAME", userName: "me" };

describe("IAM's calls as IAM authorizes them", () => {
  const store = Store.open(":memory:");
  store.iam.entities.insert({ id: "AIDAME", kind: "user", name: "me", path: "/team/", arn: ME.arn, createdAt: 1, doc: {} });
  store.iam.entities.putTags("AIDAME", [{ Key: "Team", Value: "ci" }]);
  store.iam.entities.insert({ id: "AROA1", kind: "role", name: "app", path: "/", arn: `arn:aws:iam::${A}:role/app`, createdAt: 1, doc: {} });
  const auth = iamAuthorization(store, A);
  const cases: [label: string, operation: string, input: Record<string, unknown>, expected: AuthorizationRequest[]][] = [
    ["an existing user: its stored ARN (with path) and its tags", "GetUser", { UserName: "ME" }, [{ action: "iam:GetUser", resource: ME.arn, conditions: { "aws:resourcetag/team": "ci", "iam:resourcetag/team": "ci" } }]],
    ["no UserName: the caller's own user", "CreateAccessKey", {}, [{ action: "iam:CreateAccessKey", resource: ME.arn, conditions: {} }]],
    [
      "attaching a policy to yourself: AttachUserPolicy on your own ARN, with iam:PolicyARN",
      "AttachUserPolicy",
      { UserName: "me", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      [{ action: "iam:AttachUserPolicy", resource: ME.arn, conditions: { "aws:resourcetag/team": "ci", "iam:resourcetag/team": "ci", "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess" } }],
    ],
    [
      "a new user: the ARN it would get, with its request tags",
      "CreateUser",
      { UserName: "bob", Path: "/ci/", Tags: [{ Key: "Owner", Value: "me" }] },
      [{ action: "iam:CreateUser", resource: `arn:aws:iam::${A}:user/ci/bob`, conditions: { "aws:requesttag/owner": "me", "aws:tagkeys": ["Owner"] } }],
    ],
    ["untagging: aws:TagKeys", "UntagRole", { RoleName: "app", TagKeys: ["a"] }, [{ action: "iam:UntagRole", resource: `arn:aws:iam::${A}:role/app`, conditions: { "aws:tagkeys": ["a"] } }]],
    ["a listing of the account: *", "ListUsers", {}, [{ action: "iam:ListUsers", resource: "*", conditions: {} }]],
    ["a policy: its ARN", "GetPolicyVersion", { PolicyArn: "arn:aws:iam::aws:policy/X", VersionId: "v1" }, [{ action: "iam:GetPolicyVersion", resource: "arn:aws:iam::aws:policy/X", conditions: {} }]],
    ["a new policy: the ARN it would get", "CreatePolicy", { PolicyName: "p", Path: "/x/" }, [{ action: "iam:CreatePolicy", resource: `arn:aws:iam::${A}:policy/x/p`, conditions: {} }]],
    ["AddUserToGroup is on the group", "AddUserToGroup", { GroupName: "g", UserName: "me" }, [{ action: "iam:AddUserToGroup", resource: `arn:aws:iam::${A}:group/g`, conditions: {} }]],
    [
      "a role put in an instance profile is passed",
      "AddRoleToInstanceProfile",
      { InstanceProfileName: "ip", RoleName: "app" },
      [
        { action: "iam:AddRoleToInstanceProfile", resource: `arn:aws:iam::${A}:instance-profile/ip`, conditions: {} },
        { action: "iam:PassRole", resource: `arn:aws:iam::${A}:role/app` },
      ],
    ],
    [
      "the service-linked role, with iam:AWSServiceName",
      "CreateServiceLinkedRole",
      { AWSServiceName: "apprunner.amazonaws.com" },
      [{ action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${A}:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner`, conditions: { "iam:awsservicename": "apprunner.amazonaws.com" } }],
    ],
  ];
  for (const [label, operation, input, expected] of cases) {
    it(label, () => assert.deepEqual(auth.requestsOf(operation, input, ME), expected));
  }
});
