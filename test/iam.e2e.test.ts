import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  type CreatePolicyVersionCommandOutput,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
  UpdateRoleCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { startInProcess, type Credentials, type InProcessServer } from "./support/harness.js";
import { AWS_CLI, AWS_CLI_V1, awsCliEnv, runAwsCli } from "./support/aws-cli.js";

const doc = (statement: object): string => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const LIST_APPRUNNER = doc({ Effect: "Allow", Action: "apprunner:List*", Resource: "*" });
const TRUST_APPRUNNER_TASKS = doc({ Effect: "Allow", Principal: { Service: "tasks.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" });

/** Rejects with the AWS error name and message the SDK parsed from IAM's XML. */
async function refused(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("IAM's API through @aws-sdk/client-iam", () => {
  let server: InProcessServer;
  let iam: IAMClient;
  const clientWith = (credentials: Credentials, region = "us-east-1"): IAMClient =>
    new IAMClient({ endpoint: server.running.endpoint, region, credentials, maxAttempts: 1 });

  before(async () => {
    server = await startInProcess();
    iam = clientWith(server.running.rootKey, server.running.config.region);
  });
  after(async () => {
    iam.destroy();
    await server.close();
  });

  it("a user and its access key: the secret once, the key signs as the user, inactive stops it at once, deleted too", async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: "alice", Path: "/ci/", Tags: [{ Key: "team", Value: "build" }] }));
    assert.equal(created.User?.Arn, `arn:aws:iam::${server.running.config.accountId}:user/ci/alice`);
    assert.match(created.User?.UserId ?? "", /^AIDA[A-Z2-7]{17}$/);
    await refused(iam.send(new CreateUserCommand({ UserName: "ALICE" })), "EntityAlreadyExistsException", /User with name ALICE already exists/);
    await refused(iam.send(new CreateUserCommand({ UserName: "bad name" })), "ValidationError", /Value 'bad name' at 'userName' failed to satisfy constraint/);
    await refused(iam.send(new GetUserCommand({ UserName: "nobody" })), "NoSuchEntityException", /^The user with name nobody cannot be found\.$/);
    const account = await iam.send(new GetUserCommand({}));
    assert.equal(account.User?.Arn, `arn:aws:iam::${server.running.config.accountId}:root`, "the root key's own user is the account");
    const rootKeys = await iam.send(new ListAccessKeysCommand({}));
    assert.deepEqual(rootKeys.AccessKeyMetadata?.map((k) => k.AccessKeyId), [server.running.rootKey.accessKeyId]);
    await refused(iam.send(new CreateAccessKeyCommand({})), "InvalidInputException", /managed by `openrunner up`/);
    await refused(iam.send(new UpdateAccessKeyCommand({ AccessKeyId: server.running.rootKey.accessKeyId, Status: "Inactive" })), "InvalidInputException", /managed by `openrunner up`/);

    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey;
    assert.match(key?.AccessKeyId ?? "", /^AKIA[A-Z2-7]{16}$/);
    assert.equal(key?.SecretAccessKey?.length, 40);
    assert.equal(key?.Status, "Active");
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "alice" }));
    assert.deepEqual(listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status, k.UserName]), [[key?.AccessKeyId, "Active", "alice"]]);
    assert.ok(!JSON.stringify(listed).includes(key?.SecretAccessKey ?? "-"), "ListAccessKeys never shows the secret");

    const signer = clientWith({ accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! });
    const me = await signer.send(new GetUserCommand({}));
    signer.destroy();
    assert.equal(me.User?.UserName, "alice", "GetUser without a name is the caller's own");
    assert.deepEqual(me.User?.Tags, [{ Key: "team", Value: "build" }]);
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key!.AccessKeyId! }));
    assert.equal(used.UserName, "alice");
    assert.equal(used.AccessKeyLastUsed?.ServiceName, "iam");
    assert.ok(used.AccessKeyLastUsed?.LastUsedDate instanceof Date);

    const alice = clientWith({ accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! });
    await alice.send(new GetUserCommand({}));
    await iam.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: key!.AccessKeyId!, Status: "Inactive" }));
    await refused(alice.send(new GetUserCommand({})), "InvalidClientTokenId", /security token included in the request is invalid/);
    await iam.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: key!.AccessKeyId!, Status: "Active" }));
    await alice.send(new GetUserCommand({}));

    // Two keys per user.
    const second = (await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey;
    await refused(iam.send(new CreateAccessKeyCommand({ UserName: "alice" })), "LimitExceededException", /AccessKeysPerUser: 2/);

    await refused(iam.send(new DeleteUserCommand({ UserName: "alice" })), "DeleteConflictException", /must delete access keys first/);
    await iam.send(new DeleteAccessKeyCommand({ UserName: "alice", AccessKeyId: key!.AccessKeyId! }));
    await refused(alice.send(new GetUserCommand({})), "InvalidClientTokenId");
    alice.destroy();
    await iam.send(new DeleteAccessKeyCommand({ UserName: "alice", AccessKeyId: second!.AccessKeyId! }));
    await refused(iam.send(new DeleteAccessKeyCommand({ UserName: "alice", AccessKeyId: second!.AccessKeyId! })), "NoSuchEntityException", /Access Key with id/);

    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "list", PolicyDocument: LIST_APPRUNNER }));
    const inline = await iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "list" }));
    assert.equal(decodeURIComponent(inline.PolicyDocument ?? ""), LIST_APPRUNNER, "documents come back URL-encoded, as IAM sends them");
    await refused(iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "bad", PolicyDocument: "{not json" })), "MalformedPolicyDocumentException");
    await refused(iam.send(new DeleteUserCommand({ UserName: "alice" })), "DeleteConflictException", /must delete policies first/);
  });

  it("renaming a user moves its keys to the new name and ARN", async () => {
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }))).AccessKey!;
    await iam.send(new UpdateUserCommand({ UserName: "carol", NewUserName: "caroline", NewPath: "/ops/" }));
    const carol = clientWith({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const me = await carol.send(new GetUserCommand({}));
    assert.equal(me.User?.Arn, `arn:aws:iam::${server.running.config.accountId}:user/ops/caroline`);
    carol.destroy();
    await iam.send(new TagUserCommand({ UserName: "caroline", Tags: [{ Key: "k", Value: "v" }] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: "caroline" }))).Tags, [{ Key: "k", Value: "v" }]);
    const users = await iam.send(new ListUsersCommand({ PathPrefix: "/ops/" }));
    assert.deepEqual(users.Users?.map((u) => u.UserName), ["caroline"]);
  });

  it("groups: members, their policies, DeleteConflict until emptied", async () => {
    await iam.send(new CreateUserCommand({ UserName: "dave" }));
    await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "dave" }));
    const group = await iam.send(new GetGroupCommand({ GroupName: "devs" }));
    assert.match(group.Group?.GroupId ?? "", /^AGPA/);
    assert.deepEqual(group.Users?.map((u) => u.UserName), ["dave"]);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: "dave" }))).Groups?.map((g) => g.GroupName), ["devs"]);
    const ro = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess";
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "devs", PolicyArn: ro }));
    await refused(iam.send(new DeleteGroupCommand({ GroupName: "devs" })), "DeleteConflictException", /must remove users from group first/);
    await refused(iam.send(new DeleteUserCommand({ UserName: "dave" })), "DeleteConflictException");
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "devs", UserName: "dave" }));
    await refused(iam.send(new DeleteGroupCommand({ GroupName: "devs" })), "DeleteConflictException", /must detach all policies first/);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: "devs", PolicyArn: ro }));
    await iam.send(new DeleteGroupCommand({ GroupName: "devs" }));
    await iam.send(new DeleteUserCommand({ UserName: "dave" }));
    await refused(iam.send(new GetGroupCommand({ GroupName: "devs" })), "NoSuchEntityException", /The group with name devs cannot be found/);
  });

  it("managed policies: versions (at most five, one default), attachments, DeleteConflict while attached", async () => {
    const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: "ci-deploy", PolicyDocument: LIST_APPRUNNER, Description: "CI" }))).Policy!;
    assert.equal(policy.Arn, `arn:aws:iam::${server.running.config.accountId}:policy/ci-deploy`);
    assert.match(policy.PolicyId ?? "", /^ANPA/);
    await refused(iam.send(new CreatePolicyCommand({ PolicyName: "CI-DEPLOY", PolicyDocument: LIST_APPRUNNER })), "EntityAlreadyExistsException");
    for (let i = 2; i <= 5; i++) {
      const document = doc({ Effect: "Allow", Action: `apprunner:Describe${i}`, Resource: "*" });
      const made: CreatePolicyVersionCommandOutput = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policy.Arn, PolicyDocument: document, SetAsDefault: i === 3 }));
      assert.equal(made.PolicyVersion?.VersionId, `v${i}`);
    }
    await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: policy.Arn, PolicyDocument: LIST_APPRUNNER })), "LimitExceededException", /up to 5 versions/);
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.Arn }));
    assert.deepEqual(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]), [["v5", false], ["v4", false], ["v3", true], ["v2", false], ["v1", false]]);
    await refused(iam.send(new DeletePolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: "v3" })), "DeleteConflictException", /default version/);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: "v5" }));
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: "v3" }));
    const v5 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: "v5" }));
    assert.equal(JSON.parse(decodeURIComponent(v5.PolicyVersion?.Document ?? "")).Statement[0].Action, "apprunner:Describe5");
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: policy.Arn }))).Policy?.DefaultVersionId, "v5");

    await iam.send(new CreateUserCommand({ UserName: "erin" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "erin", PolicyArn: policy.Arn }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: policy.Arn }))).Policy?.AttachmentCount, 1);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy.Arn }));
    assert.deepEqual(entities.PolicyUsers?.map((u) => u.UserName), ["erin"]);
    const local = await iam.send(new ListPoliciesCommand({ Scope: "Local", OnlyAttached: true }));
    assert.deepEqual(local.Policies?.map((p) => p.PolicyName), ["ci-deploy"]);
    await refused(iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn })), "DeleteConflictException", /attached/);
    await refused(iam.send(new DeleteUserCommand({ UserName: "erin" })), "DeleteConflictException", /must detach all policies first/);
    await iam.send(new DetachUserPolicyCommand({ UserName: "erin", PolicyArn: policy.Arn }));
    await refused(iam.send(new DetachUserPolicyCommand({ UserName: "erin", PolicyArn: policy.Arn })), "NoSuchEntityException");
    for (const v of ["v1", "v2", "v4"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn }));
    await refused(iam.send(new GetPolicyCommand({ PolicyArn: policy.Arn })), "NoSuchEntityException", /was not found/);
    await iam.send(new DeleteUserCommand({ UserName: "erin" }));
  });

  it("AWS's managed policies for App Runner exist from the first start with their documents, and nobody may change them", async () => {
    const arns = {
      AWSAppRunnerFullAccess: "arn:aws:iam::aws:policy/AWSAppRunnerFullAccess",
      AWSAppRunnerReadOnlyAccess: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess",
      AWSAppRunnerServicePolicyForECRAccess: "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess",
      AppRunnerServiceRolePolicy: "arn:aws:iam::aws:policy/aws-service-role/AppRunnerServiceRolePolicy",
      AdministratorAccess: "arn:aws:iam::aws:policy/AdministratorAccess",
      IAMFullAccess: "arn:aws:iam::aws:policy/IAMFullAccess",
    };
    for (const [name, arn] of Object.entries(arns)) {
      const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
      assert.equal(p?.PolicyName, name);
      const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p!.DefaultVersionId! }));
      assert.equal(JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!)).Version, "2012-10-17");
    }
    const ro = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arns.AWSAppRunnerReadOnlyAccess, VersionId: "v1" }));
    assert.deepEqual(JSON.parse(decodeURIComponent(ro.PolicyVersion!.Document!)).Statement, [{ Effect: "Allow", Action: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" }]);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: "AWS" }));
    assert.deepEqual(aws.Policies?.map((p) => p.PolicyName).sort(), Object.keys(arns).sort());
    await refused(iam.send(new DeletePolicyCommand({ PolicyArn: arns.AdministratorAccess })), "AccessDenied");
    await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arns.AWSAppRunnerFullAccess, PolicyDocument: LIST_APPRUNNER })), "AccessDenied");

    const slr = (await iam.send(new GetRoleCommand({ RoleName: "AWSServiceRoleForAppRunner" }))).Role!;
    assert.equal(slr.Path, "/aws-service-role/apprunner.amazonaws.com/");
    assert.deepEqual(JSON.parse(decodeURIComponent(slr.AssumeRolePolicyDocument!)).Statement[0].Principal, { Service: "apprunner.amazonaws.com" });
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "AWSServiceRoleForAppRunner" }));
    assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyArn), [arns.AppRunnerServiceRolePolicy]);
    await refused(iam.send(new DeleteRoleCommand({ RoleName: "AWSServiceRoleForAppRunner" })), "UnmodifiableEntityException");
    await refused(iam.send(new DetachRolePolicyCommand({ RoleName: "AWSServiceRoleForAppRunner", PolicyArn: arns.AppRunnerServiceRolePolicy })), "UnmodifiableEntityException");
    await refused(iam.send(new PutRolePolicyCommand({ RoleName: "AWSServiceRoleForAppRunner", PolicyName: "more", PolicyDocument: LIST_APPRUNNER })), "UnmodifiableEntityException");
    await refused(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "apprunner.amazonaws.com" })), "InvalidInputException", /has been taken/);
  });

  it("roles: trust policies checked, session duration bounded, what Terraform reads before deleting one", async () => {
    await refused(iam.send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: "[]x" })), "MalformedPolicyDocumentException");
    const role = (await iam.send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: TRUST_APPRUNNER_TASKS, Description: "instance role" }))).Role!;
    assert.match(role.RoleId ?? "", /^AROA[A-Z2-7]{17}$/);
    assert.equal(role.MaxSessionDuration, 3600);
    await refused(iam.send(new UpdateRoleCommand({ RoleName: "app", MaxSessionDuration: 60 })), "ValidationError", /maxSessionDuration/);
    await iam.send(new UpdateRoleCommand({ RoleName: "app", MaxSessionDuration: 43200 }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: "app" }))).Role?.MaxSessionDuration, 43200);
    await iam.send(new PutRolePolicyCommand({ RoleName: "app", PolicyName: "logs", PolicyDocument: doc({ Effect: "Allow", Action: "logs:*", Resource: "*" }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "app", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "app-profile" }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "app-profile", RoleName: "app" }));

    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "app" }))).PolicyNames, ["logs"]);
    assert.equal((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "app" }))).AttachedPolicies?.length, 1);
    const profiles = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "app" }));
    assert.deepEqual(profiles.InstanceProfiles?.map((p) => [p.InstanceProfileName, p.Roles?.map((r) => r.RoleName)]), [["app-profile", ["app"]]]);

    await refused(iam.send(new DeleteRoleCommand({ RoleName: "app" })), "DeleteConflictException", /instance profile/);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "app-profile", RoleName: "app" }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "app-profile" }));
    await refused(iam.send(new DeleteRoleCommand({ RoleName: "app" })), "DeleteConflictException", /must delete policies first/);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "app", PolicyName: "logs" }));
    await refused(iam.send(new DeleteRoleCommand({ RoleName: "app" })), "DeleteConflictException", /must detach all policies first/);
    await iam.send(new DetachRolePolicyCommand({ RoleName: "app", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
    await iam.send(new DeleteRoleCommand({ RoleName: "app" }));
    await refused(iam.send(new GetRoleCommand({ RoleName: "app" })), "NoSuchEntityException", /The role with name app cannot be found/);
  });

  it("the audit trail records IAM's calls as iam.amazonaws.com, with the secret key hidden", async () => {
    await iam.send(new CreateUserCommand({ UserName: "frank" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "frank" }))).AccessKey!;
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateAccessKey" }] }));
    trail.destroy();
    const recorded = events.Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as Record<string, unknown>).find((e) => JSON.stringify(e.requestParameters).includes("frank"));
    assert.ok(recorded, "CreateAccessKey for frank is in the trail");
    assert.equal(recorded.eventSource, "iam.amazonaws.com");
    const text = JSON.stringify(recorded);
    assert.ok(!text.includes(key.SecretAccessKey!), "the secret is never in the trail");
    assert.match(text, /HIDDEN_DUE_TO_SECURITY_REASONS/);
  });
});

describe("IAM through the AWS CLI v2 (/usr/bin/aws)", { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed` }, () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ region: "us-west-2" });
  });
  after(async () => server.close());

  /** `aws iam ...` with the server's files (region us-west-2), or with another key's environment. */
  async function cli(args: string[], key?: Credentials): Promise<{ code: number; out: Record<string, unknown>; stderr: string }> {
    const extra: Record<string, string> = key ? { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_DEFAULT_REGION: "us-west-2" } : {};
    const argv = ["iam", ...args, "--endpoint-url", server.running.endpoint, "--output", "json", ...(key ? [] : ["--profile", "openrunner"])];
    const r = await runAwsCli(argv, awsCliEnv(server.running.files, extra));
    return { code: r.code, out: r.code === 0 && r.stdout.trim() !== "" ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
  }

  it("real clients sign IAM for us-east-1 or for their own region: both are taken, no other", async () => {
    for (const [region, taken] of [["us-west-2", true], ["us-east-1", true], ["eu-west-3", false]] as const) {
      const client = new IAMClient({ endpoint: server.running.endpoint, region, credentials: server.running.rootKey, maxAttempts: 1 });
      const call = client.send(new ListUsersCommand({}));
      if (taken) await call;
      else await refused(call, "SignatureDoesNotMatch", /scoped to a valid region/);
      client.destroy();
    }
  });

  it("create a user and a key, sign with it, make it inactive, delete it", async () => {
    assert.equal((await cli(["create-user", "--user-name", "ci", "--tags", "Key=team,Value=build"])).code, 0);
    const created = await cli(["create-access-key", "--user-name", "ci"]);
    const key = created.out.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
    assert.equal(key.SecretAccessKey.length, 40);
    const listed = await cli(["list-access-keys", "--user-name", "ci"]);
    assert.ok(!JSON.stringify(listed.out).includes(key.SecretAccessKey));
    const creds = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const me = await cli(["get-user"], creds);
    assert.equal(me.code, 0, me.stderr);
    assert.equal((me.out.User as { UserName: string }).UserName, "ci");

    assert.equal((await cli(["update-access-key", "--user-name", "ci", "--access-key-id", key.AccessKeyId, "--status", "Inactive"])).code, 0);
    const denied = await cli(["get-user"], creds);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /InvalidClientTokenId/);

    const conflict = await cli(["delete-user", "--user-name", "ci"]);
    assert.match(conflict.stderr, /DeleteConflict.*must delete access keys first/);
    assert.equal((await cli(["delete-access-key", "--user-name", "ci", "--access-key-id", key.AccessKeyId])).code, 0);
    assert.equal((await cli(["delete-user", "--user-name", "ci"])).code, 0);
    assert.match((await cli(["get-user", "--user-name", "ci"])).stderr, /NoSuchEntity.*The user with name ci cannot be found/);
  });

  it("the AWS CLI v1 (botocore) too", { skip: existsSync(AWS_CLI_V1) ? false : `${AWS_CLI_V1} is not installed` }, async () => {
    const argv = ["iam", "get-policy-version", "--policy-arn", "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess", "--version-id", "v1"];
    const r = await runAwsCli([...argv, "--endpoint-url", server.running.endpoint, "--output", "json", "--profile", "openrunner"], awsCliEnv(server.running.files), 60_000, AWS_CLI_V1);
    assert.equal(r.code, 0, r.stderr);
    const version = (JSON.parse(r.stdout) as { PolicyVersion: { Document: { Statement: { Action: string[] }[] } } }).PolicyVersion;
    assert.deepEqual(version.Document.Statement[0]?.Action, ["apprunner:List*", "apprunner:Describe*"]);
  });

  it("the CLI decodes policy documents and reads the seeded policies and roles", async () => {
    const v = await cli(["get-policy-version", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess", "--version-id", "v1"]);
    assert.equal(v.code, 0, v.stderr);
    const document = (v.out.PolicyVersion as { Document: { Statement: { Action: string[] }[] } }).Document;
    assert.ok(document.Statement[0]?.Action.includes("ecr:GetAuthorizationToken"), "a JSON document, decoded by the CLI");
    const role = await cli(["get-role", "--role-name", "AWSServiceRoleForAppRunner"]);
    assert.equal((role.out.Role as { Arn: string }).Arn, `arn:aws:iam::${server.running.config.accountId}:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner`);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "build.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const created = await cli(["create-role", "--role-name", "access", "--assume-role-policy-document", trust]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(["attach-role-policy", "--role-name", "access", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"])).code, 0);
    const attached = await cli(["list-attached-role-policies", "--role-name", "access"]);
    assert.deepEqual((attached.out.AttachedPolicies as { PolicyName: string }[]).map((p) => p.PolicyName), ["AWSAppRunnerServicePolicyForECRAccess"]);
  });
});
