import { CreateServiceCommand, DescribeServiceCommand, ListServicesCommand } from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand, type Event, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appRunnerClient, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { awsCliEnv } from "./support/aws-cli.js";

const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
/** Debian's AWS CLI v2 package; the pyenv shim earlier on PATH is a different (v1) CLI. */
const AWS = "/usr/bin/aws";

interface TrailEvent {
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  errorCode?: string;
  userIdentity: Record<string, unknown>;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
}

const trailEvent = (e: Event): TrailEvent => JSON.parse(e.CloudTrailEvent ?? "{}") as TrailEvent;

describe("the audit trail through CloudTrail's LookupEvents", () => {
  let server: InProcessServer;
  let trail: CloudTrailClient;
  let serviceArn = "";

  const lookup = async (input: LookupEventsCommandInput): Promise<{ events: Event[]; next?: string }> => {
    const out = await trail.send(new LookupEventsCommand(input));
    return { events: out.Events ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
  };
  type Key = NonNullable<LookupEventsCommandInput["LookupAttributes"]>[number]["AttributeKey"];
  const by = (AttributeKey: Key, AttributeValue: string): LookupEventsCommandInput => ({
    LookupAttributes: [{ AttributeKey, AttributeValue }],
  });

  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    const { running, client } = server;
    const { endpoint, config, rootKey } = running;
    trail = new CloudTrailClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    const created = await client.send(
      new CreateServiceCommand({
        ServiceName: "audited",
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: "127.0.0.1:5000/hello:latest",
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: {
              StartCommand: "node server.js --admin-token hunter2",
              Port: "8080",
              RuntimeEnvironmentVariables: { DB_PASSWORD: "s3cr3t" },
            },
          },
        },
      }),
    );
    serviceArn = created.Service?.ServiceArn ?? "";
    const image = { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC" as const };
    const tooShort = { ServiceName: "x", SourceConfiguration: { ImageRepository: image } };
    await assert.rejects(client.send(new CreateServiceCommand(tooShort)), { name: "InvalidRequestException" });
    await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }));
    const stranger = appRunnerClient(endpoint, { accessKeyId: "AKIANOTAKEY000000000", secretAccessKey: "nope" }, config.region);
    await assert.rejects(stranger.send(new ListServicesCommand({})), { name: "UnrecognizedClientException" });
    stranger.destroy();
  });
  after(async () => {
    trail.destroy();
    await server.close();
  });

  it("records CreateService as the guide shows it, secrets HIDDEN_DUE_TO_SECURITY_REASONS, newest first", async () => {
    const { events } = await lookup(by("EventName", "CreateService"));
    assert.equal(events.length, 2);
    const [failed, ok] = events.map(trailEvent);
    assert.equal(failed?.errorCode, "InvalidRequestException");
    assert.equal(failed?.responseElements, null);
    assert.ok(ok);
    assert.equal(ok.errorCode, undefined);
    assert.equal(ok.eventSource, "apprunner.amazonaws.com");
    assert.equal(ok.readOnly, false);
    assert.equal(ok.userIdentity.type, "Root");
    assert.equal(ok.userIdentity.accessKeyId, server.running.rootKey.accessKeyId);
    /** sourceConfiguration.imageRepository.imageConfiguration, in CloudTrail's member names. */
    const imageConfiguration = (holder: unknown): unknown =>
      ["sourceConfiguration", "imageRepository", "imageConfiguration"].reduce<unknown>(
        (v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined),
        holder,
      );
    assert.deepEqual(imageConfiguration(ok.requestParameters), {
      startCommand: HIDDEN,
      port: "8080",
      runtimeEnvironmentVariables: HIDDEN,
    });
    const returned = imageConfiguration(ok.responseElements?.service) as Record<string, unknown>;
    assert.equal(returned.startCommand, HIDDEN);
    assert.equal(returned.runtimeEnvironmentVariables, HIDDEN);
    assert.equal(ok.requestParameters?.serviceName, "audited");
    const first = events[1];
    assert.equal(first?.Username, "root");
    assert.equal(first?.ReadOnly, "false");
    assert.deepEqual(first?.Resources, [{ ResourceType: "AWS::AppRunner::Service", ResourceName: serviceArn }]);
  });

  it("never records the secret values, the secret key or the SigV4 signature", async () => {
    await lookup({ MaxResults: 1 }); // flushes everything recorded so far to trail.db
    const dir = server.running.dataDir;
    const bytes = ["trail.db", "trail.db-wal"]
      .map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)).toString("latin1") : ""))
      .join("");
    assert.ok(bytes.includes("CreateService"), "the events are in the file");
    for (const secret of ["hunter2", "s3cr3t", server.running.rootKey.secretAccessKey, "Signature=", "AWS4-HMAC-SHA256"]) {
      assert.ok(!bytes.includes(secret), `${secret} is in trail.db`);
    }
  });

  it("looks up by ReadOnly, AccessKeyId, ResourceName and EventSource", async () => {
    const reads = (await lookup(by("ReadOnly", "true"))).events.map((e) => e.EventName);
    assert.ok(reads.includes("DescribeService"));
    assert.ok(!reads.includes("CreateService"));
    const writes = (await lookup(by("ReadOnly", "false"))).events.map((e) => e.EventName);
    assert.deepEqual(writes, ["CreateService", "CreateService"]);

    const mine = (await lookup(by("AccessKeyId", server.running.rootKey.accessKeyId))).events;
    assert.ok(mine.every((e) => e.AccessKeyId === server.running.rootKey.accessKeyId));
    assert.ok(mine.some((e) => e.EventName === "DescribeService") && mine.some((e) => e.EventName === "CreateService"));

    const touching = (await lookup(by("ResourceName", serviceArn))).events.map((e) => e.EventName);
    assert.deepEqual(touching, ["DescribeService", "CreateService"]);

    const trailCalls = (await lookup(by("EventSource", "cloudtrail.amazonaws.com"))).events;
    assert.ok(trailCalls.length > 0, "lookups are recorded too");
    assert.ok(trailCalls.every((e) => e.EventName === "LookupEvents" && e.ReadOnly === "true"));
  });

  it("records a call that failed authentication, with an anonymous identity", async () => {
    const { events } = await lookup(by("EventName", "ListServices"));
    const e = events.map(trailEvent).find((t) => t.errorCode === "UnrecognizedClientException");
    assert.ok(e);
    assert.deepEqual(e.userIdentity, { type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" });
    assert.equal(events.find((x) => trailEvent(x).errorCode)?.AccessKeyId, undefined);
  });

  it("keeps to StartTime and EndTime", async () => {
    const [create] = (await lookup({ ...by("EventName", "CreateService"), MaxResults: 50 })).events.slice(-1);
    const at = create?.EventTime;
    assert.ok(at);
    const same = (await lookup({ ...by("EventId", create?.EventId ?? ""), StartTime: at, EndTime: at })).events;
    assert.deepEqual(same.map((e) => e.EventId), [create?.EventId]);
    const earlier = await lookup({ StartTime: new Date(at.getTime() - 3_600_000), EndTime: new Date(at.getTime() - 1000) });
    assert.deepEqual(earlier.events, []);
    const backwards = { StartTime: at, EndTime: new Date(at.getTime() - 1000) };
    await assert.rejects(lookup(backwards), { name: "InvalidTimeRangeException" });
  });

  it("pages with NextToken, and refuses a token used with other parameters", async () => {
    const all = (await lookup(by("EventName", "CreateService"))).events.map((e) => e.EventId);
    const first = await lookup({ ...by("EventName", "CreateService"), MaxResults: 1 });
    assert.equal(first.events.length, 1);
    assert.ok(first.next);
    const second = await lookup({ ...by("EventName", "CreateService"), MaxResults: 1, NextToken: first.next });
    assert.equal(second.next, undefined);
    assert.deepEqual([...first.events, ...second.events].map((e) => e.EventId), all);
    const reused = { ...by("EventName", "DescribeService"), MaxResults: 1, NextToken: first.next };
    await assert.rejects(lookup(reused), { name: "InvalidNextTokenException" });
  });

  it("answers bad input with CloudTrail's exceptions", async () => {
    await assert.rejects(lookup({ MaxResults: 51 }), { name: "InvalidMaxResultsException" });
    const two = [...(by("EventName", "A").LookupAttributes ?? []), ...(by("Username", "root").LookupAttributes ?? [])];
    await assert.rejects(lookup({ LookupAttributes: two }), { name: "InvalidLookupAttributesException" });
  });

  const noCli = existsSync(AWS) ? false : `${AWS} is not installed`;
  it("serves `aws cloudtrail lookup-events` (AWS CLI v2)", { skip: noCli }, async () => {
    const env = awsCliEnv(server.running.files);
    const argv = [
      "cloudtrail", "lookup-events",
      "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateService",
      "--profile", "openrunner", "--endpoint-url", server.running.endpoint, "--output", "json",
    ];
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(AWS, argv, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
      });
    });
    assert.equal(out.code, 0, out.stderr);
    type CliEvent = { EventName: string; CloudTrailEvent: string; Username: string };
    const events = (JSON.parse(out.stdout) as { Events: CliEvent[] }).Events;
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.EventName === "CreateService" && e.Username === "root"));
    assert.ok(events.some((e) => e.CloudTrailEvent.includes(`"startCommand":"${HIDDEN}"`)));
  });
});
