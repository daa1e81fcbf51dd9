import {
  AppRunnerClient,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListServicesCommand,
  TagResourceCommand,
  type CreateServiceCommandInput,
} from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { AppliedPolicy, IdentityPolicySource } from "../src/iam/identity-policies.js";
import type { Principal } from "../src/iam/principal.js";
import { appRunnerClient, eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { awsCliEnv, AWS_CLI, runAwsCli } from "./support/aws-cli.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/** AWS's managed policy, as the App Runner guide prints it. */
const READ_ONLY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["apprunner:List*", "apprunner:Describe*"], Resource: "*" }] });
/** The guide's "Controlling access to App Runner services based on tags". */
const DELETE_IF_OWNER = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "ListServicesInConsole", Effect: "Allow", Action: "apprunner:ListServices", Resource: "*" },
    {
      Sid: "DeleteServiceIfOwner",
      Effect: "Allow",
      Action: "apprunner:DeleteService",
      Resource: "arn:aws:apprunner:*:*:service/*",
      Condition: { StringEquals: { "apprunner:ResourceTag/Owner": "${aws:username}" } },
    },
  ],
});
/** A CI user that may create services only with an Owner tag (aws:RequestTag). */
const CREATE_ONLY_TAGGED = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "apprunner:CreateService", Resource: "*", Condition: { Null: { "aws:RequestTag/Owner": "false" } } }],
});
/** Everything in App Runner but deleting, and no iam:PassRole. */
const ALL_BUT_DELETE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "apprunner:*", Resource: "*" },
    { Effect: "Deny", Action: "apprunner:DeleteService", Resource: "*" },
  ],
});

/** Needs the policy engine's Condition element; the contract stub on this branch ignores conditions. */
const NEEDS_CONDITIONS = "TODO(issue 17, policy engine): passes once src/iam/policy/engine.ts evaluates Condition";

const image = (): CreateServiceCommandInput["SourceConfiguration"] => ({
  ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" },
});

describe("IAM policies on every call, through the real server and the SDK", () => {
  let server: InProcessServer;
  const policies = new Map<string, AppliedPolicy[]>();
  let revision = 1;
  const source: IdentityPolicySource = {
    policiesOf: (p) => policies.get(p.arn) ?? [],
    principalTags: () => ({}),
    revision: () => revision,
  };
  const clients: { destroy(): void }[] = [];
  const keys = new Map<string, { accessKeyId: string; secretAccessKey: string; arn: string }>();
  let account = "";

  /** An IAM user with an access key in the store and `documents` as its policies. */
  function addUser(name: string, ...documents: string[]): { accessKeyId: string; secretAccessKey: string; arn: string } {
    const n = keys.size + 1;
    const accessKeyId = `AKIATESTUSER${String(n).padStart(8, "0")}`;
    const secretAccessKey = `secret-of-${name}-0123456789abcdefghij`;
    const arn = `arn:aws:iam::${account}:user/${name}`;
    const principal: Principal = { accessKeyId, accountId: account, arn, type: "IAMUser", userName: name, userId: `AIDATESTUSER${String(n).padStart(9, "0")}` };
    server.running.store.accessKeys.insert({ accessKeyId, secretAccessKey, principal, createdAt: Date.now() });
    policies.set(arn, documents.map((document, i) => ({ id: `inline:${name}:${i}`, document })));
    revision++;
    const key = { accessKeyId, secretAccessKey, arn };
    keys.set(name, key);
    return key;
  }
  const clientOf = (name: string): AppRunnerClient => {
    const key = keys.get(name);
    assert.ok(key, name);
    const c = appRunnerClient(server.running.endpoint, key, server.running.config.region);
    clients.push(c);
    return c;
  };
  const deniedMessage = (name: string, action: string, resource: string): string =>
    `User: arn:aws:iam::${account}:user/${name} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

  let mine = "";
  let theirs = "";

  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), identityPolicies: source });
    account = server.running.config.accountId;
    addUser("reader", READ_ONLY);
    addUser("richard-roe", DELETE_IF_OWNER);
    addUser("ci", CREATE_ONLY_TAGGED);
    addUser("operator", ALL_BUT_DELETE);
    // Root keeps doing everything: no policy ever applies to it.
    const root = server.client;
    mine = (await root.send(new CreateServiceCommand({ ServiceName: "owned-by-richard", SourceConfiguration: image(), Tags: [{ Key: "Owner", Value: "richard-roe" }] }))).Service?.ServiceArn ?? "";
    theirs = (await root.send(new CreateServiceCommand({ ServiceName: "owned-by-jane", SourceConfiguration: image(), Tags: [{ Key: "Owner", Value: "jane" }] }))).Service?.ServiceArn ?? "";
    assert.ok(mine && theirs);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it("AWSAppRunnerReadOnlyAccess: lists and describes, but CreateService is AccessDeniedException with AWS's message", async () => {
    const reader = clientOf("reader");
    const listed = await reader.send(new ListServicesCommand({}));
    assert.ok((listed.ServiceSummaryList ?? []).some((s) => s.ServiceArn === mine));
    const described = await reader.send(new DescribeServiceCommand({ ServiceArn: mine }));
    assert.equal(described.Service?.ServiceName, "owned-by-richard");
    await assert.rejects(reader.send(new CreateServiceCommand({ ServiceName: "not-allowed", SourceConfiguration: image() })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(err.message, deniedMessage("reader", "apprunner:CreateService", "*"));
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
    await assert.rejects(reader.send(new DeleteServiceCommand({ ServiceArn: theirs })), { name: "AccessDeniedException", message: deniedMessage("reader", "apprunner:DeleteService", theirs) });
  });

  it("the denied call is not run, and CloudTrail records it as refused (AccessDenied) by the IAM user", async () => {
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    clients.push(trail);
    const events = await eventually(async () => {
      const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateService" }] }));
      const denied = (out.Events ?? []).filter((e) => e.Username === "reader");
      return denied.length > 0 ? denied : undefined;
    });
    const event = JSON.parse(events[0]?.CloudTrailEvent ?? "{}") as { errorCode?: string; errorMessage?: string; userIdentity?: { type?: string; userName?: string; arn?: string }; responseElements?: unknown };
    assert.equal(event.errorCode, "AccessDenied");
    assert.equal(event.errorMessage, deniedMessage("reader", "apprunner:CreateService", "*"));
    assert.equal(event.userIdentity?.type, "IAMUser");
    assert.equal(event.userIdentity?.userName, "reader");
    assert.equal(event.responseElements, null);
    const names = ((await server.client.send(new ListServicesCommand({}))).ServiceSummaryList ?? []).map((s) => s.ServiceName);
    assert.ok(!names.includes("not-allowed"));
  });

  it("other APIs are authorized too: CloudWatch Logs names logs:<Operation>", async () => {
    const key = keys.get("reader");
    assert.ok(key);
    const logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: key, maxAttempts: 1 });
    clients.push(logs);
    await assert.rejects(logs.send(new DescribeLogGroupsCommand({})), { name: "AccessDeniedException", message: deniedMessage("reader", "logs:DescribeLogGroups", "*") });
  });

  it("CloudWatch over awsQuery (AWS CLI v2): AccessDenied for a user without cloudwatch:ListMetrics", { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed` }, async () => {
    const key = keys.get("reader");
    assert.ok(key);
    const env = awsCliEnv(server.running.files, { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_DEFAULT_REGION: server.running.config.region });
    const r = await runAwsCli(["cloudwatch", "list-metrics", "--endpoint-url", server.running.endpoint, "--output", "json"], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\(AccessDenied\) when calling the ListMetrics operation: User: arn:aws:iam::\d{12}:user\/reader is not authorized to perform: cloudwatch:ListMetrics on resource: \*/);
  });

  it("an explicit deny wins over apprunner:*, in AWS's words for it", async () => {
    const operator = clientOf("operator");
    await operator.send(new TagResourceCommand({ ResourceArn: theirs, Tags: [{ Key: "Team", Value: "ops" }] }));
    await assert.rejects(operator.send(new DeleteServiceCommand({ ServiceArn: theirs })), {
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::${account}:user/operator is not authorized to perform: apprunner:DeleteService on resource: ${theirs} with an explicit deny in an identity-based policy`,
    });
  });

  it("iam:PassRole is checked when a service is given an instance role", async () => {
    const operator = clientOf("operator");
    const role = `arn:aws:iam::${account}:role/app-instance`;
    await assert.rejects(operator.send(new CreateServiceCommand({ ServiceName: "with-a-role", SourceConfiguration: image(), InstanceConfiguration: { InstanceRoleArn: role } })), {
      name: "AccessDeniedException",
      message: deniedMessage("operator", "iam:PassRole", role),
    });
  });

  it("the guide's tag example: a user deletes a service whose Owner tag is their user name", async () => {
    const richard = clientOf("richard-roe");
    const out = await richard.send(new DeleteServiceCommand({ ServiceArn: mine }));
    assert.equal(out.Service?.ServiceArn, mine);
  });

  it("the guide's tag example: ...and not a service someone else owns", { todo: NEEDS_CONDITIONS }, async () => {
    const richard = clientOf("richard-roe");
    await assert.rejects(richard.send(new DeleteServiceCommand({ ServiceArn: theirs })), { name: "AccessDeniedException", message: deniedMessage("richard-roe", "apprunner:DeleteService", theirs) });
  });

  it("a CI user limited by tags creates a service with an Owner tag", async () => {
    const ci = clientOf("ci");
    const out = await ci.send(new CreateServiceCommand({ ServiceName: "ci-tagged", SourceConfiguration: image(), Tags: [{ Key: "Owner", Value: "ci" }] }));
    assert.equal(out.Service?.ServiceName, "ci-tagged");
  });

  it("a CI user limited by tags cannot create a service without one", { todo: NEEDS_CONDITIONS }, async () => {
    const ci = clientOf("ci");
    await assert.rejects(ci.send(new CreateServiceCommand({ ServiceName: "ci-untagged", SourceConfiguration: image() })), { name: "AccessDeniedException", message: deniedMessage("ci", "apprunner:CreateService", "*") });
  });

  it("a policy change takes effect on the next call (the IAM revision moves)", async () => {
    const reader = clientOf("reader");
    await reader.send(new ListServicesCommand({}));
    policies.set(keys.get("reader")?.arn ?? "", []);
    revision++;
    await assert.rejects(reader.send(new ListServicesCommand({})), { name: "AccessDeniedException", message: deniedMessage("reader", "apprunner:ListServices", "*") });
  });
});
