import { CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listDeadLetters } from "../src/telemetry/events/store/events-db.js";
import { eventsModule } from "../src/telemetry/events/module.js";
import { eventually, startInProcess, tempDataDir, type InProcessServer } from "./support/harness.js";
import { HttpReceiver, type Received } from "./support/http-receiver.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };
const OPERATION_PATTERN = JSON.stringify({
  source: ["aws.apprunner"],
  "detail-type": ["AppRunner Service Operation Status Change"],
});

const parsed = (r: Received): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
const detailOf = (r: Received): Record<string, unknown> => parsed(r).detail as Record<string, unknown>;

describe("EventBridge delivery to HTTP targets", () => {
  let server: InProcessServer;
  let events: EventBridgeClient;
  const receiver = new HttpReceiver();

  before(async () => {
    await receiver.start();
    receiver.fail("/down", 500);
    server = await startInProcess({
      driver: new ScriptedRuntimeDriver(),
      // Three attempts 50 and 100 ms apart, so a failing target dead-letters quickly.
      modules: [eventsModule({ retry: { maxAttempts: 3, baseDelayMs: 50, factor: 2 } })],
    });
    const { endpoint, rootKey, config } = server.running;
    events = new EventBridgeClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
  });
  after(async () => {
    events.destroy();
    await server.close();
    await receiver.close();
  });

  async function ruleTo(name: string, pattern: string, path: string): Promise<void> {
    await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern }));
    const out = await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "receiver", Arn: `${receiver.url}${path}` }] }));
    assert.equal(out.FailedEntryCount, 0);
  }

  it("delivers a deployment's operation events, shaped as the guide's example", async (t) => {
    await ruleTo("deployments", OPERATION_PATTERN, "/deployments");
    const created = await server.client.send(
      new CreateServiceCommand({ ServiceName: "evented", SourceConfiguration: { ImageRepository: image } }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    const serviceId = created.Service?.ServiceId ?? "";
    const got = await eventually(async () => {
      const statuses = receiver.on("/deployments").map((r) => detailOf(r).Status);
      return statuses.includes("CreateServiceCompletedSuccessfully") ? receiver.on("/deployments") : undefined;
    }, 10_000);
    assert.equal((await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status, "RUNNING");
    assert.deepEqual(
      got.map((r) => detailOf(r).Status),
      ["CreateServiceStarted", "CreateServiceCompletedSuccessfully"],
      "only operation events, each once",
    );
    const messages = ["Service creation started.", "Service creation completed successfully."];
    got.forEach((r, i) => {
      const e = parsed(r);
      assert.deepEqual(Object.keys(e), ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]);
      assert.equal(e.version, "0");
      assert.match(String(e.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(e["detail-type"], "AppRunner Service Operation Status Change");
      assert.equal(e.source, "aws.apprunner");
      assert.equal(e.account, server.running.config.accountId);
      assert.match(String(e.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(e.region, "us-east-1");
      assert.deepEqual(e.resources, [arn]);
      assert.deepEqual(detailOf(r), {
        Status: i === 0 ? "CreateServiceStarted" : "CreateServiceCompletedSuccessfully",
        ServiceName: "evented",
        ServiceId: serviceId,
        Message: messages[i],
        Severity: "INFO",
      });
      assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    });
    // The delay from the outbox write to the receiver, reported (not asserted: wall clock).
    const written = server.running.store.db.prepare(`SELECT event_id, time FROM event_outbox`).all() as { event_id: string; time: number }[];
    const delays = got.map((r) => r.at - (written.find((w) => w.event_id === parsed(r).id)?.time ?? r.at));
    t.diagnostic(`delivery delay after the outbox write: ${delays.join(" ms, ")} ms`);
  });

  it("delivers PutEvents' custom events to matching rules", async () => {
    await ruleTo("orders", JSON.stringify({ source: ["my.shop"], detail: { total: [{ numeric: [">", 100] }] } }), "/orders");
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "my.shop", DetailType: "Order", Detail: '{"total": 250}', Resources: ["arn:shop:order/1"] },
          { Source: "my.shop", DetailType: "Order", Detail: '{"total": 5}' },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 0);
    const [order] = await eventually(async () => (receiver.on("/orders").length > 0 ? receiver.on("/orders") : undefined), 10_000);
    assert.ok(order);
    const e = parsed(order);
    assert.equal(e.id, out.Entries?.[0]?.EventId);
    assert.deepEqual([e.source, e["detail-type"], e.resources, e.detail], ["my.shop", "Order", ["arn:shop:order/1"], { total: 250 }]);
  });

  it("keeps a dead letter when the target keeps failing", async () => {
    await ruleTo("failing", JSON.stringify({ source: ["my.failing"] }), "/down");
    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: "my.failing", DetailType: "T", Detail: "{}" }] }));
    const dead = await eventually(async () => listDeadLetters(server.running.store).find((d) => d.eventId === out.Entries?.[0]?.EventId), 10_000);
    assert.equal(dead.attempts, 3);
    assert.equal(dead.lastError, "HTTP 500");
    assert.equal(dead.targetId, "receiver");
    assert.equal(dead.targetArn, `${receiver.url}/down`);
    assert.equal(dead.ruleArn, `arn:aws:events:us-east-1:${server.running.config.accountId}:rule/failing`);
    assert.equal((dead.event as { source: string }).source, "my.failing");
    assert.equal(receiver.on("/down").length, 3, "one POST per attempt");
  });
});

describe("EventBridge delivery across a restart", () => {
  const receiver = new HttpReceiver();
  const data = tempDataDir("openrunner-events-");
  before(async () => {
    await receiver.start();
  });
  after(async () => {
    await receiver.close();
    data.remove();
  });

  /** The control plane on the same data directory; retries every 50 ms, many times. */
  async function start(): Promise<{ server: InProcessServer; events: EventBridgeClient }> {
    const server = await startInProcess({ dataDir: data.dir, modules: [eventsModule({ retry: { maxAttempts: 100, baseDelayMs: 50, factor: 1 } })] });
    const { endpoint, rootKey, config } = server.running;
    return { server, events: new EventBridgeClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 }) };
  }

  const put = async (events: EventBridgeClient, n: number): Promise<string> => {
    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: "my.restart", DetailType: "T", Detail: JSON.stringify({ n }) }] }));
    return out.Entries?.[0]?.EventId ?? "";
  };
  const idsOn = (path: string): string[] => receiver.on(path).map((r) => String(parsed(r).id));

  it("neither loses nor repeats: delivered events stay delivered, pending ones are delivered after it", async () => {
    receiver.fail("/pending", 503);
    const first = await start();
    await first.events.send(new PutRuleCommand({ Name: "restart", EventPattern: JSON.stringify({ source: ["my.restart"] }) }));
    await first.events.send(
      new PutTargetsCommand({
        Rule: "restart",
        Targets: [
          { Id: "ok", Arn: `${receiver.url}/ok` },
          { Id: "pending", Arn: `${receiver.url}/pending` },
        ],
      }),
    );
    const a = await put(first.events, 1);
    await eventually(async () => (idsOn("/ok").includes(a) && idsOn("/pending").includes(a) ? true : undefined), 10_000);
    first.events.destroy();
    await first.server.close();

    receiver.recover("/pending");
    const failedBefore = receiver.on("/pending").length;
    const second = await start();
    try {
      const b = await put(second.events, 2);
      await eventually(async () => (idsOn("/ok").includes(b) && receiver.on("/pending").length > failedBefore + 1 ? true : undefined), 10_000);
      // A few more polls, so a repeat would have had its chance to arrive.
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(idsOn("/ok"), [a, b], "each event once to the target that took it");
      const pendingAfterRestart = idsOn("/pending").slice(failedBefore);
      assert.deepEqual([...pendingAfterRestart].sort(), [a, b].sort(), "the event pending at the restart, then the new one");
      assert.deepEqual(listDeadLetters(second.server.running.store), []);
    } finally {
      second.events.destroy();
      await second.server.close();
    }
  });
});
