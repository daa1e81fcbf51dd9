import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  AppRunnerClient,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListServicesCommand,
  type CreateServiceCommandInput,
} from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startInProcess, type Credentials, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { AWS_CLI, awsCliEnv, runAwsCli } from "./support/aws-cli.js";

/*
 * Issue 17 as a team uses it: an administrator (the root key `openrunner up` wrote) makes users
 * with the AWS CLI v2, and those users work with the SDK and only what their policies allow.
 */

type SessionCredentials = Credentials & { sessionToken?: string };

const READ_ONLY = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess";

const imageSource = (name: string): CreateServiceCommandInput => ({
  ServiceName: name,
  SourceConfiguration: { ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } },
});

/** The SDK's error name and message of a rejected promise. */
async function rejection(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return { name: e.name ?? "", message: e.message ?? "" };
  }
  assert.fail("the call was expected to be refused");
}

describe("teams: IAM users, policies, AssumeRole and keys through the AWS CLI and the SDK", { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed` }, () => {
  let server: InProcessServer;
  let account = "";
  const clients: { destroy(): void }[] = [];

  /** `aws iam ...` (or any service) as the administrator: the root key's profile. */
  async function admin(...args: string[]): Promise<Record<string, unknown>> {
    const env = awsCliEnv(server.running.files);
    const r = await runAwsCli([...args, "--endpoint-url", server.running.endpoint, "--profile", "openrunner", "--output", "json"], env);
    assert.equal(r.code, 0, `aws ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
    return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
  }

  async function userWithKey(name: string): Promise<Credentials> {
    await admin("iam", "create-user", "--user-name", name);
    const key = (await admin("iam", "create-access-key", "--user-name", name)).AccessKey as Record<string, string>;
    assert.match(key.AccessKeyId ?? "", /^AKIA[A-Z2-7]{16}$/);
    return { accessKeyId: key.AccessKeyId ?? "", secretAccessKey: key.SecretAccessKey ?? "" };
  }

  function apprunnerAs(credentials: SessionCredentials): AppRunnerClient {
    const c = new AppRunnerClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  function stsAs(credentials: SessionCredentials): STSClient {
    const c = new STSClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    account = server.running.config.accountId;
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });

  it("a user with AWSAppRunnerReadOnlyAccess lists and describes, and is refused a create with AWS's message", async () => {
    const made = await server.client.send(new CreateServiceCommand(imageSource("team-existing")));
    const reader = await userWithKey("reader");
    await admin("iam", "attach-user-policy", "--user-name", "reader", "--policy-arn", READ_ONLY);
    const asReader = apprunnerAs(reader);

    const listed = await asReader.send(new ListServicesCommand({}));
    assert.ok(listed.ServiceSummaryList?.some((s) => s.ServiceName === "team-existing"));
    const described = await asReader.send(new DescribeServiceCommand({ ServiceArn: made.Service?.ServiceArn }));
    assert.equal(described.Service?.ServiceName, "team-existing");

    const refused = await rejection(asReader.send(new CreateServiceCommand(imageSource("by-reader"))));
    assert.equal(refused.name, "AccessDeniedException");
    assert.match(
      refused.message,
      new RegExp(
        `^User: arn:aws:iam::${account}:user/reader is not authorized to perform: apprunner:CreateService on resource: \\S+ because no identity-based policy allows the apprunner:CreateService action$`,
      ),
    );
    const names = (await server.client.send(new ListServicesCommand({}))).ServiceSummaryList?.map((s) => s.ServiceName);
    assert.ok(!names?.includes("by-reader"), "a refused create leaves nothing behind");

    // The trail names who was refused.
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    clients.push(trail);
    const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "reader" }] }));
    const denied = events.Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as Record<string, unknown>).find((e) => e.eventName === "CreateService");
    assert.ok(denied, "the refused CreateService is in the trail");
    assert.match(String(denied.errorCode), /^AccessDenied/);
    const identity = denied.userIdentity as Record<string, unknown>;
    assert.equal(identity.type, "IAMUser");
    assert.equal(identity.userName, "reader");
    assert.equal(identity.arn, `arn:aws:iam::${account}:user/reader`);
  });

  it("a CI user limited by tags creates and deletes only its team's services", async () => {
    const ci = await userWithKey("ci");
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" },
        { Effect: "Allow", Action: ["apprunner:CreateService", "apprunner:TagResource"], Resource: "*", Condition: { StringEquals: { "aws:RequestTag/team": "ci" } } },
        { Effect: "Allow", Action: ["apprunner:UpdateService", "apprunner:DeleteService"], Resource: "*", Condition: { StringEquals: { "apprunner:ResourceTag/team": "ci" } } },
      ],
    };
    await admin("iam", "put-user-policy", "--user-name", "ci", "--policy-name", "team-ci", "--policy-document", JSON.stringify(policy));
    const asCi = apprunnerAs(ci);

    const untagged = await rejection(asCi.send(new CreateServiceCommand(imageSource("ci-untagged"))));
    assert.equal(untagged.name, "AccessDeniedException");
    const otherTeam = await rejection(asCi.send(new CreateServiceCommand({ ...imageSource("ci-other"), Tags: [{ Key: "team", Value: "web" }] })));
    assert.equal(otherTeam.name, "AccessDeniedException");

    const mine = await asCi.send(new CreateServiceCommand({ ...imageSource("ci-mine"), Tags: [{ Key: "team", Value: "ci" }] }));
    assert.equal(mine.Service?.ServiceName, "ci-mine");

    const theirs = await server.client.send(new CreateServiceCommand({ ...imageSource("web-theirs"), Tags: [{ Key: "team", Value: "web" }] }));
    const notMine = await rejection(asCi.send(new DeleteServiceCommand({ ServiceArn: theirs.Service?.ServiceArn })));
    assert.equal(notMine.name, "AccessDeniedException");
    assert.match(notMine.message, new RegExp(`apprunner:DeleteService on resource: ${theirs.Service?.ServiceArn?.replace(/[/.]/g, "\\$&")}`));
  });

  it("an AssumeRole session acts as the role, is named in GetCallerIdentity, and its tampered token is refused", async () => {
    const dev = await userWithKey("dev");
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:user/dev` }, Action: "sts:AssumeRole" }] };
    await admin("iam", "create-role", "--role-name", "deployer", "--assume-role-policy-document", JSON.stringify(trust));
    await admin("iam", "attach-role-policy", "--role-name", "deployer", "--policy-arn", "arn:aws:iam::aws:policy/AWSAppRunnerFullAccess");

    // dev itself has no policy: it may not create, only become the role.
    const asDev = apprunnerAs(dev);
    assert.equal((await rejection(asDev.send(new CreateServiceCommand(imageSource("dev-direct"))))).name, "AccessDeniedException");

    const assumed = await stsAs(dev).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/deployer`, RoleSessionName: "release-42" }));
    const c = assumed.Credentials;
    assert.match(c?.AccessKeyId ?? "", /^ASIA/);
    const session: SessionCredentials = { accessKeyId: c?.AccessKeyId ?? "", secretAccessKey: c?.SecretAccessKey ?? "", sessionToken: c?.SessionToken ?? "" };

    const who = await stsAs(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${account}:assumed-role/deployer/release-42`);
    assert.match(who.UserId ?? "", /^AROA[A-Z2-7]+:release-42$/);

    const created = await apprunnerAs(session).send(new CreateServiceCommand(imageSource("by-role")));
    assert.equal(created.Service?.ServiceName, "by-role");

    const tampered = await rejection(apprunnerAs({ ...session, sessionToken: `${session.sessionToken ?? ""}x` }).send(new ListServicesCommand({})));
    assert.equal(tampered.name, "UnrecognizedClientException");

    // Someone the trust policy does not name cannot become the role.
    const outsider = await userWithKey("outsider");
    const refused = await rejection(stsAs(outsider).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/deployer`, RoleSessionName: "x1" })));
    assert.equal(refused.name, "AccessDenied");
  });

  it("a key made inactive stops working at the next call, and works again when made active", async () => {
    const key = await userWithKey("rotating");
    await admin("iam", "attach-user-policy", "--user-name", "rotating", "--policy-arn", READ_ONLY);
    const asUser = apprunnerAs(key);
    await asUser.send(new ListServicesCommand({}));

    await admin("iam", "update-access-key", "--user-name", "rotating", "--access-key-id", key.accessKeyId, "--status", "Inactive");
    assert.equal((await rejection(asUser.send(new ListServicesCommand({})))).name, "UnrecognizedClientException");

    await admin("iam", "update-access-key", "--user-name", "rotating", "--access-key-id", key.accessKeyId, "--status", "Active");
    await asUser.send(new ListServicesCommand({}));

    await admin("iam", "delete-access-key", "--user-name", "rotating", "--access-key-id", key.accessKeyId);
    assert.equal((await rejection(asUser.send(new ListServicesCommand({})))).name, "UnrecognizedClientException");
  });

  it("a user cannot raise their own rights without iam permissions", async () => {
    const key = await userWithKey("climber");
    await admin("iam", "attach-user-policy", "--user-name", "climber", "--policy-arn", READ_ONLY);
    const env = awsCliEnv(server.running.files, { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_DEFAULT_REGION: server.running.config.region });
    delete env.AWS_SHARED_CREDENTIALS_FILE;
    const r = await runAwsCli(
      ["iam", "attach-user-policy", "--user-name", "climber", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess", "--endpoint-url", server.running.endpoint],
      env,
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDenied/);
    assert.match(r.stderr, new RegExp(`arn:aws:iam::${account}:user/climber is not authorized to perform: iam:AttachUserPolicy`));
  });
});
