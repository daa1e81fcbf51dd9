import { CloudTrailClient, LookupEventsCommand, type Event } from "@aws-sdk/client-cloudtrail";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { awsJsonCall, type JsonApiName } from "./support/aws-json-call.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { fetchHeaders, signRequest } from "./support/sigv4-signer.js";

/** An unknown member nested 100,000 levels deep: 200 KB of brackets, under every API's body limit. */
const DEEP = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
const withDeep = (input: Record<string, unknown>): string => JSON.stringify({ ...input, Unknown: 0 }).replace('"Unknown":0', `"Unknown":${DEEP}`);
const HOOK = "http://127.0.0.1:9/hook";
/** CloudTrail's limit for one event. */
const MAX_EVENT_BYTES = 256 * 1024;

interface TrailEvent {
  eventName: string;
  eventSource: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
}

describe("what the audit trail records of hostile calls", () => {
  let server: InProcessServer;
  let trail: CloudTrailClient;
  const call = (api: JsonApiName, operation: string, body: string): ReturnType<typeof awsJsonCall> =>
    awsJsonCall(server.running.endpoint, server.running.rootKey, api, operation, body);
  const eventsNamed = async (eventName: string): Promise<Event[]> => {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: eventName }] }));
    return out.Events ?? [];
  };
  const trailEvent = (e: Event): TrailEvent => JSON.parse(e.CloudTrailEvent ?? "{}") as TrailEvent;

  before(async () => {
    server = await startInProcess();
    const { endpoint, config, rootKey } = server.running;
    trail = new CloudTrailClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    assert.equal((await call("events", "PutRule", JSON.stringify({ Name: "hooked", EventPattern: '{"source":["aws.apprunner"]}' }))).status, 200);
  });
  after(async () => {
    trail.destroy();
    await server.close();
  });

  const nestedCalls: { api: JsonApiName; operation: string; input: Record<string, unknown>; ran: () => Promise<boolean> }[] = [
    {
      api: "events",
      operation: "PutTargets",
      input: { Rule: "hooked", Targets: [{ Id: "exfiltrate", Arn: HOOK }] },
      ran: async () => JSON.stringify((await call("events", "ListTargetsByRule", JSON.stringify({ Rule: "hooked" }))).body).includes("exfiltrate"),
    },
    {
      api: "logs",
      operation: "CreateLogGroup",
      input: { logGroupName: "nested-group" },
      ran: async () => JSON.stringify((await call("logs", "DescribeLogGroups", "{}")).body).includes("nested-group"),
    },
    {
      api: "apprunner",
      operation: "CreateService",
      input: { ServiceName: "nested-service", SourceConfiguration: { ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC" } } },
      ran: async () => JSON.stringify((await call("apprunner", "ListServices", "{}")).body).includes("nested-service"),
    },
    { api: "cloudwatch", operation: "ListMetrics", input: {}, ran: () => Promise.resolve(false) },
    { api: "cloudtrail", operation: "LookupEvents", input: {}, ran: () => Promise.resolve(false) },
  ];
  for (const c of nestedCalls) {
    it(`${c.api} ${c.operation} with a member nested 100,000 levels deep: refused, not run, recorded as refused`, async () => {
      const answer = await call(c.api, c.operation, withDeep(c.input));
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.type, "SerializationException");
      assert.match(String(answer.body.Message), /nested more than \d+ levels deep/);
      assert.equal(await c.ran(), false, "the call did not run");
      const refused = (await eventsNamed(c.operation)).map(trailEvent).filter((e) => e.errorCode === "SerializationException");
      assert.equal(refused.length, 1, "the refusal is in the trail");
      assert.equal(refused[0]?.requestParameters, null);
    });
  }

  it("records the same PutTargets, well formed, as it runs", async () => {
    const answer = await call("events", "PutTargets", JSON.stringify({ Rule: "hooked", Targets: [{ Id: "visible", Arn: HOOK }] }));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const recorded = (await eventsNamed("PutTargets")).map(trailEvent).filter((e) => e.errorCode === undefined);
    assert.equal(recorded.length, 1);
    assert.deepEqual(recorded[0]?.requestParameters?.targets, [{ id: "visible", arn: HOOK }]);
  });

  it("does not record operations no API serves, whatever X-Amz-Target names", async () => {
    for (const [api, operation] of [
      ["logs", "NoSuchOperation"],
      ["apprunner", "constructor"],
      ["events", "toString"],
    ] as const) {
      const answer = await call(api, operation, "{}");
      assert.equal(answer.status, 400);
      assert.equal(answer.type, "UnknownOperationException");
      assert.deepEqual(await eventsNamed(operation), [], `${operation} is not in the trail`);
    }
  });

  it("does not record an awsQuery Action CloudWatch does not have", async () => {
    const url = `${server.running.endpoint}/`;
    const body = "Action=NoSuchAction&Version=2010-08-01";
    const signed = await signRequest({
      url,
      body,
      service: "monitoring",
      credentials: server.running.rootKey,
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    });
    const res = await fetch(url, { method: "POST", headers: fetchHeaders(signed), body: Buffer.from(body) });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidAction<\/Code>/);
    assert.deepEqual(await eventsNamed("NoSuchAction"), []);
  });

  it("keeps a refused call's event under CloudTrail's 256 KB, omitting parameters over 100 KB", async () => {
    const huge = "x".repeat(1024 * 1024);
    const logs = await call("logs", "PutLogEvents", JSON.stringify({ logGroupName: "g", logStreamName: huge, logEvents: [{ timestamp: 1, message: "m" }] }));
    assert.equal(logs.status, 400, JSON.stringify(logs.body).slice(0, 200));
    const service = await call("apprunner", "CreateService", JSON.stringify({ ServiceName: "y".repeat(200_000), SourceConfiguration: {} }));
    assert.equal(service.type, "InvalidRequestException");
    for (const name of ["PutLogEvents", "CreateService"]) {
      const failed = (await eventsNamed(name)).filter((e) => trailEvent(e).errorCode !== undefined && trailEvent(e).errorCode !== "SerializationException");
      assert.equal(failed.length, 1, name);
      const raw = failed[0]?.CloudTrailEvent ?? "";
      assert.ok(Buffer.byteLength(raw) <= MAX_EVENT_BYTES, `${name}: ${Buffer.byteLength(raw)} bytes`);
      const event = trailEvent(failed[0] ?? {});
      assert.equal(event.requestParameters?.omitted, true, name);
      assert.ok(Number(event.requestParameters?.originalSize) > 100 * 1024, name);
      assert.ok((event.errorMessage ?? "").length <= 2048, name);
    }
  });
});
