import { AppRunnerClient, ListServicesCommand } from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials as StsCredentials } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Principal } from "../src/iam/principal.js";
import type { RoleRecord } from "../src/iam/roles.js";
import type { Clock } from "../src/util/clock.js";
import { AWS_CLI, awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { appRunnerClient, startInProcess, type Credentials, type InProcessServer } from "./support/harness.js";
import { role, roleDirectory } from "./support/iam-fakes.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/** Regional like most users' configuration: STS must also take signatures scoped to us-east-1 (its global endpoint's). */
const REGION = "eu-west-1";
const USER_KEY = { accessKeyId: "AKIAALICEOPENRUNNER1", secretAccessKey: "YWxpY2Utc2VjcmV0LWFsaWNlLXNlY3JldC1hbGlj" };

/**
 * The server's time, moved forward to expire credentials; clients are told the same offset
 * (the SDK's systemClockOffset) so their signatures stay current and only the session expires.
 */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

type Sdk = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const asSdk = (c: StsCredentials | undefined): Sdk => ({ accessKeyId: c?.AccessKeyId ?? "", secretAccessKey: c?.SecretAccessKey ?? "", sessionToken: c?.SessionToken ?? "" });

/** The SDK's refusal as name + message, for assertions. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return `${e.$metadata?.httpStatusCode ?? "?"} ${e.name}: ${e.message}`;
  }
  return "no error";
}

describe("STS: temporary credentials on every signed call", () => {
  let server: InProcessServer;
  let alice: Principal;
  const clock = new ShiftedClock();
  const clients: { destroy(): void }[] = [];
  let deploy: RoleRecord;

  const sts = (credentials: Sdk, region = REGION, systemClockOffset = 0): STSClient => {
    const c = new STSClient({ endpoint: server.running.endpoint, region, credentials, maxAttempts: 1, systemClockOffset });
    clients.push(c);
    return c;
  };
  const appRunner = (credentials: Sdk): ReturnType<typeof appRunnerClient> => {
    const c = appRunnerClient(server.running.endpoint, credentials as Credentials, REGION);
    clients.push(c);
    return c;
  };

  before(async () => {
    const roles = roleDirectory([]);
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), region: REGION, clock, roles });
    const { accountId } = server.running.config;
    // An IAM user's key, as the IAM API (not on this branch) will make it with CreateUser + CreateAccessKey.
    alice = { accessKeyId: USER_KEY.accessKeyId, accountId, arn: `arn:aws:iam::${accountId}:user/alice`, type: "IAMUser", userName: "alice", userId: "AIDAALICEOPENRUNNER01" };
    server.running.store.accessKeys.insert({ ...USER_KEY, principal: alice, createdAt: clock.now() });
    // A role as the IAM API will store it with CreateRole: its trust policy names alice. Once the
    // IAM API is merged, `aws iam create-user / create-access-key / create-role` replace these two
    // set-ups and the server's own RoleDirectory replaces `roles`; the assertions stay.
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: alice.arn }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };
    deploy = role("deploy", trust, { arn: `arn:aws:iam::${accountId}:role/deploy`, maxSessionDuration: 7_200 });
    roles.add(deploy);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it("GetCallerIdentity names root and an IAM user by their ids, signed for the region or for us-east-1", async () => {
    const { accountId } = server.running.config;
    const root = await sts(server.running.rootKey).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([root.Arn, root.UserId, root.Account], [`arn:aws:iam::${accountId}:root`, accountId, accountId]);
    for (const region of [REGION, "us-east-1"]) {
      const user = await sts(USER_KEY, region).send(new GetCallerIdentityCommand({}));
      assert.deepEqual([user.Arn, user.UserId, user.Account], [alice.arn, "AIDAALICEOPENRUNNER01", accountId], region);
    }
    assert.match(await refusal(sts(USER_KEY, "ap-south-1").send(new GetCallerIdentityCommand({}))), /^403 SignatureDoesNotMatch: Credential should be scoped to a valid region/);
  });

  it("GetSessionToken: the session's credentials act as the user with their token, on STS and App Runner; a tampered or missing token is refused", async () => {
    const out = await sts(USER_KEY).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = asSdk(out.Credentials);
    assert.match(creds.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok((creds.sessionToken ?? "").length >= 300);
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - clock.now();
    assert.ok(expiresIn > 880_000 && expiresIn <= 900_000, `expires in ${expiresIn} ms`);

    const me = await sts(creds).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, alice.arn, "a GetSessionToken session is the user itself");
    assert.equal(me.UserId, "AIDAALICEOPENRUNNER01");
    assert.deepEqual((await appRunner(creds).send(new ListServicesCommand({}))).ServiceSummaryList, []);

    const tampered = { ...creds, sessionToken: `${creds.sessionToken?.slice(0, -4) ?? ""}AAAA` };
    assert.equal(await refusal(sts(tampered).send(new GetCallerIdentityCommand({}))), "403 InvalidClientTokenId: The security token included in the request is invalid.");
    assert.equal(await refusal(appRunner(tampered).send(new ListServicesCommand({}))), "403 UnrecognizedClientException: The security token included in the request is invalid.");
    const { sessionToken: _dropped, ...withoutToken } = creds;
    assert.equal(await refusal(appRunner(withoutToken).send(new ListServicesCommand({}))), "403 UnrecognizedClientException: The security token included in the request is invalid.");
    assert.equal(await refusal(appRunner({ ...USER_KEY, sessionToken: creds.sessionToken ?? "" }).send(new ListServicesCommand({}))), "403 UnrecognizedClientException: The security token included in the request is invalid.", "a long-term key with a token");
    assert.equal(await refusal(sts(creds).send(new GetSessionTokenCommand({}))), "403 AccessDenied: Cannot call GetSessionToken with session credentials");
  });

  it("AssumeRole: a role session with its own identity; refused for root, for an unknown role, past the role's maximum", async () => {
    const { accountId } = server.running.config;
    const roleArn = `arn:aws:iam::${accountId}:role/deploy`;
    const out = await sts(USER_KEY).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "ci-42", DurationSeconds: 900, Tags: [{ Key: "team", Value: "web" }] }));
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${accountId}:assumed-role/deploy/ci-42`);
    assert.equal(out.AssumedRoleUser?.AssumedRoleId, `${deploy.roleId}:ci-42`);
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    const session = asSdk(out.Credentials);
    const me = await sts(session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([me.Arn, me.UserId, me.Account], [`arn:aws:sts::${accountId}:assumed-role/deploy/ci-42`, `${deploy.roleId}:ci-42`, accountId]);
    assert.deepEqual((await appRunner(session).send(new ListServicesCommand({}))).ServiceSummaryList, []);

    assert.equal(await refusal(sts(server.running.rootKey).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "root" }))), "403 AccessDenied: Roles may not be assumed by root accounts.");
    assert.equal(
      await refusal(sts(USER_KEY).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/ghost`, RoleSessionName: "x1" }))),
      `403 AccessDenied: User: ${alice.arn} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${accountId}:role/ghost`,
    );
    assert.equal(
      await refusal(sts(USER_KEY).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "x1", DurationSeconds: 7_201 }))),
      "400 ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    assert.equal(
      await refusal(sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "chained", DurationSeconds: 3_601 }))),
      "400 ValidationError: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  });

  it("the AWS CLI v2 assumes the role and works with the session's credentials (AWS_SESSION_TOKEN)", { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed` }, async () => {
    const { accountId } = server.running.config;
    const none = { credentials: "/dev/null", config: "/dev/null" };
    const cli = async (env: NodeJS.ProcessEnv, ...argv: string[]): Promise<Record<string, unknown>> => {
      const r = await runAwsCli([...argv, "--endpoint-url", server.running.endpoint, "--output", "json"], awsCliEnv(none, { AWS_DEFAULT_REGION: REGION, ...env }));
      assert.equal(r.code, 0, `aws ${argv.join(" ")}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const user = { AWS_ACCESS_KEY_ID: USER_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: USER_KEY.secretAccessKey };
    const assumed = await cli(user, "sts", "assume-role", "--role-arn", `arn:aws:iam::${accountId}:role/deploy`, "--role-session-name", "cli-session");
    const c = assumed.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const session = { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
    assert.deepEqual(await cli(session, "sts", "get-caller-identity"), { UserId: `${deploy.roleId}:cli-session`, Account: accountId, Arn: `arn:aws:sts::${accountId}:assumed-role/deploy/cli-session` });
    assert.deepEqual(await cli(session, "apprunner", "list-services"), { ServiceSummaryList: [] });
    const wrong = await runAwsCli(["sts", "get-caller-identity", "--endpoint-url", server.running.endpoint], awsCliEnv(none, { AWS_DEFAULT_REGION: REGION, ...session, AWS_SESSION_TOKEN: "forged" }));
    assert.equal(wrong.code, 254, wrong.stderr);
    assert.match(wrong.stderr, /\(InvalidClientTokenId\) when calling the GetCallerIdentity operation: The security token included in the request is invalid/);
  });

  it("the audit trail names each identity (IAMUser, AssumedRole with its session name) and never holds a secret or token", async () => {
    const { accountId } = server.running.config;
    const out = await sts(USER_KEY).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/deploy`, RoleSessionName: "audited" }));
    const session = asSdk(out.Credentials);
    await appRunner(session).send(new ListServicesCommand({}));
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: REGION, credentials: server.running.rootKey, maxAttempts: 1 });
    clients.push(trail);
    const events = (await trail.send(new LookupEventsCommand({ MaxResults: 50 }))).Events ?? [];
    const all = events.map((e) => e.CloudTrailEvent ?? "").join("\n");
    assert.ok(!all.includes(session.secretAccessKey), "no secret key in the trail");
    assert.ok(!all.includes(session.sessionToken ?? "-"), "no session token in the trail");

    const assume = events.find((e) => e.EventName === "AssumeRole" && (e.CloudTrailEvent ?? "").includes('"audited"'));
    assert.ok(assume, "AssumeRole is recorded");
    assert.equal(assume.Username, "alice");
    const assumeEvent = JSON.parse(assume.CloudTrailEvent ?? "{}") as { eventSource: string; userIdentity: Record<string, unknown>; responseElements: { credentials: Record<string, unknown> } };
    assert.equal(assumeEvent.eventSource, "sts.amazonaws.com");
    assert.deepEqual(assumeEvent.userIdentity, { type: "IAMUser", principalId: "AIDAALICEOPENRUNNER01", arn: alice.arn, accountId, accessKeyId: USER_KEY.accessKeyId, userName: "alice" });
    assert.equal(assumeEvent.responseElements.credentials.sessionToken, "HIDDEN_DUE_TO_SECURITY_REASONS");
    assert.equal(assumeEvent.responseElements.credentials.secretAccessKey, undefined);

    const list = events.find((e) => e.EventName === "ListServices" && e.AccessKeyId === session.accessKeyId);
    assert.ok(list, "the role session's call is recorded");
    assert.equal(list.Username, "audited");
    const who = (JSON.parse(list.CloudTrailEvent ?? "{}") as { userIdentity: { type: string; principalId: string; arn: string; sessionContext: { sessionIssuer: Record<string, unknown>; attributes: Record<string, unknown> } } }).userIdentity;
    assert.equal(who.type, "AssumedRole");
    assert.equal(who.principalId, `${deploy.roleId}:audited`);
    assert.equal(who.arn, `arn:aws:sts::${accountId}:assumed-role/deploy/audited`);
    assert.deepEqual(who.sessionContext.sessionIssuer, { type: "Role", principalId: deploy.roleId, arn: `arn:aws:iam::${accountId}:role/deploy`, accountId, userName: "deploy" });
    assert.equal(who.sessionContext.attributes.mfaAuthenticated, "false");
    assert.match(String(who.sessionContext.attributes.creationDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  // Last: it moves the server's clock past every session made above.
  it("temporary credentials expire: ExpiredToken on STS, ExpiredTokenException on App Runner", async () => {
    const out = await sts(USER_KEY).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = asSdk(out.Credentials);
    assert.equal((await sts(creds).send(new GetCallerIdentityCommand({}))).Arn, alice.arn);
    clock.offsetMs = 900_000 + 1_000;
    const later = creds;
    assert.equal(await refusal(sts(later, REGION, clock.offsetMs).send(new GetCallerIdentityCommand({}))), "403 ExpiredToken: The security token included in the request is expired");
    const app = new AppRunnerClient({ endpoint: server.running.endpoint, region: REGION, credentials: later, maxAttempts: 1, systemClockOffset: clock.offsetMs });
    clients.push(app);
    assert.equal(await refusal(app.send(new ListServicesCommand({}))), "403 ExpiredTokenException: The security token included in the request is expired");
    // The user's own long-term key is untouched.
    assert.equal((await sts(USER_KEY, REGION, clock.offsetMs).send(new GetCallerIdentityCommand({}))).Arn, alice.arn);
  });
});
