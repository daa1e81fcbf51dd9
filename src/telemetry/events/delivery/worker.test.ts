import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { BusEvent } from "../../../store/event-outbox.js";
import { Store } from "../../../store/store.js";
import { ManualClock } from "../../../util/clock.js";
import { PatternCache } from "../pattern/pattern.js";
import { EventsDb } from "../store/events-db.js";
import type { StoredTarget } from "../store/targets.js";
import type { FetchFn } from "./http-sender.js";
import { DeliveryWorker, type WorkerSettings } from "./worker.js";

const config = { region: "us-east-1", accountId: "111122223333" };

function busEvent(id: string, detailType = "AppRunner Service Status Change"): BusEvent {
  return {
    version: "0",
    id,
    "detail-type": detailType,
    source: "aws.apprunner",
    account: config.accountId,
    time: "2026-01-01T00:00:00Z",
    region: config.region,
    resources: ["arn:aws:apprunner:us-east-1:111122223333:service/web/0123"],
    detail: { CurrentStatus: "RUNNING" },
  };
}

interface Call {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** A fetch that records calls and answers with the statuses it is given, in turn (the last repeats). */
function scriptedFetch(statuses: (number | Error)[]): { fetch: FetchFn; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchFn = async (url, init) => {
    calls.push({ url, body: String(init.body), headers: init.headers as Record<string, string> });
    const next = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (next instanceof Error) throw next;
    return new Response(null, { status: next ?? 200 });
  };
  return { fetch, calls };
}

describe("the delivery worker", () => {
  let store: Store;
  let db: EventsDb;
  let clock: ManualClock;
  let logs: { message: string; fields?: Record<string, unknown> }[];

  beforeEach(() => {
    store = Store.open(":memory:");
    db = new EventsDb(store);
    clock = new ManualClock();
    logs = [];
  });
  afterEach(() => store.close());

  function worker(fetch: FetchFn, overrides: Partial<WorkerSettings> = {}): DeliveryWorker {
    return new DeliveryWorker(
      { db, config, clock, patterns: new PatternCache(), logger: (message, fields) => logs.push({ message, fields }) },
      {
        pollIntervalMs: 100,
        requestTimeoutMs: 1_000,
        maxConcurrentDeliveries: 4,
        retry: { maxAttempts: 3, baseDelayMs: 1_000, factor: 2, maxDelayMs: 10_000 },
        fetch,
        ...overrides,
      },
    );
  }

  function rule(name: string, pattern: object, targets: Partial<StoredTarget>[], state: "ENABLED" | "DISABLED" = "ENABLED"): void {
    db.rules.put({ eventBus: "default", name, eventPattern: JSON.stringify(pattern), state, description: undefined, roleArn: undefined, createdAt: 0 });
    targets.forEach((t, i) => db.targets.put("default", name, { Id: `t${i}`, Arn: `http://127.0.0.1:9/${name}/${i}`, ...t }));
  }

  async function pass(w: DeliveryWorker): Promise<void> {
    w.tick();
    await w.idle();
  }

  it("delivers a matching event to every target of every enabled rule, and nothing else", async () => {
    const { fetch, calls } = scriptedFetch([200]);
    rule("status", { "detail-type": ["AppRunner Service Status Change"] }, [{}, { InputPath: "$.detail" }]);
    rule("off", { source: ["aws.apprunner"] }, [{}], "DISABLED");
    rule("other", { source: ["my.app"] }, [{}]);
    rule("no-targets", { source: ["aws.apprunner"] }, []);
    store.outbox.append(busEvent("e1"), clock.now());
    const w = worker(fetch);
    await pass(w);
    assert.deepEqual(
      calls.map((c) => [c.url, JSON.parse(c.body)]),
      [
        ["http://127.0.0.1:9/status/0", busEvent("e1")],
        ["http://127.0.0.1:9/status/1", { CurrentStatus: "RUNNING" }],
      ],
    );
    assert.equal(calls[0]?.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(db.deliveries.all(), [], "delivered rows are gone");
    assert.equal(db.cursor, 1);
    await pass(w);
    assert.equal(calls.length, 2, "an event is routed once");
  });

  it("retries with backoff on the injected clock, then keeps a dead letter and logs it", async () => {
    const { fetch, calls } = scriptedFetch([500]);
    rule("r", { source: ["aws.apprunner"] }, [{}]);
    store.outbox.append(busEvent("e1"), clock.now());
    const w = worker(fetch);
    await pass(w);
    assert.equal(calls.length, 1);
    assert.equal(db.deliveries.all()[0]?.nextAttemptAt, clock.now() + 1_000);
    clock.advance(999);
    await pass(w);
    assert.equal(calls.length, 1, "not before the backoff");
    clock.advance(1);
    await pass(w);
    assert.equal(calls.length, 2);
    assert.equal(db.deliveries.all()[0]?.nextAttemptAt, clock.now() + 2_000);
    clock.advance(2_000);
    await pass(w);
    assert.equal(calls.length, 3);
    assert.deepEqual(db.deliveries.all(), []);
    const [dead] = db.deadLetters.list();
    assert.ok(dead);
    assert.deepEqual(
      { rule: dead.ruleArn, target: dead.targetId, attempts: dead.attempts, error: dead.lastError, eventId: (dead.event as BusEvent).id },
      { rule: "arn:aws:events:us-east-1:111122223333:rule/r", target: "t0", attempts: 3, error: "HTTP 500", eventId: "e1" },
    );
    assert.equal(dead.failedAt, clock.now());
    assert.ok(logs.some((l) => /dead letter/.test(l.message) && l.fields?.eventId === "e1"));
    clock.advance(60_000);
    await pass(w);
    assert.equal(calls.length, 3, "no attempt after the dead letter");
  });

  it("does not retry an answer retrying cannot fix, and retries network errors", async () => {
    const { fetch, calls } = scriptedFetch([new TypeError("fetch failed"), 404]);
    rule("r", { source: ["aws.apprunner"] }, [{}]);
    store.outbox.append(busEvent("e1"), clock.now());
    const w = worker(fetch);
    await pass(w);
    assert.equal(db.deliveries.all()[0]?.lastError, "fetch failed");
    clock.advance(1_000);
    await pass(w);
    assert.equal(calls.length, 2);
    assert.equal(db.deadLetters.list()[0]?.lastError, "HTTP 404 (not retried)");
  });

  it("honours a target's RetryPolicy", async () => {
    const { fetch, calls } = scriptedFetch([503]);
    rule("r", { source: ["aws.apprunner"] }, [{ RetryPolicy: { MaximumRetryAttempts: 0 } }, { RetryPolicy: { MaximumEventAgeInSeconds: 60 } }]);
    store.outbox.append(busEvent("e1"), clock.now());
    const w = worker(fetch, { retry: { maxAttempts: 100, baseDelayMs: 25_000, factor: 2, maxDelayMs: 100_000 } });
    await pass(w);
    assert.deepEqual(
      db.deadLetters.list().map((d) => [d.targetId, d.attempts]),
      [["t0", 1]],
      "no retries for t0",
    );
    clock.advance(25_000);
    await pass(w);
    assert.equal(calls.length, 3);
    assert.deepEqual(
      db.deadLetters.list().map((d) => [d.targetId, d.lastError]),
      [
        ["t0", "HTTP 503"],
        ["t1", "HTTP 503 (maximum event age reached)"],
      ],
      "the next wait (50 s) would pass t1's 60 s maximum age",
    );
  });

  it("resumes after a restart: routed deliveries are kept, routed events are not routed again", async () => {
    rule("r", { source: ["aws.apprunner"] }, [{}]);
    store.outbox.append(busEvent("e1"), clock.now());
    const first = scriptedFetch([500]);
    const w1 = worker(first.fetch);
    await pass(w1);
    await w1.stop();
    store.outbox.append(busEvent("e2"), clock.now());
    const second = scriptedFetch([200]);
    const w2 = worker(second.fetch);
    clock.advance(1_000);
    await pass(w2);
    assert.deepEqual(second.calls.map((c) => (JSON.parse(c.body) as BusEvent).id).sort(), ["e1", "e2"]);
    assert.equal(db.cursor, 2);
    assert.deepEqual(db.deliveries.all(), []);
  });

  it("bounds each POST by the timeout, and leaves a POST cut short by stop() to the next start", async () => {
    rule("r", { source: ["aws.apprunner"] }, [{}]);
    store.outbox.append(busEvent("e1"), clock.now());
    // Never answers. A real request's socket keeps the event loop alive meanwhile; this one
    // holds a timer for that (AbortSignal.timeout's own timer does not).
    const hanging: FetchFn = (_url, init) =>
      new Promise((_ok, fail) => {
        const alive = setInterval(() => undefined, 1_000);
        init.signal?.addEventListener(
          "abort",
          () => {
            clearInterval(alive);
            fail(new Error("aborted"));
          },
          { once: true },
        );
      });
    const w = worker(hanging, { requestTimeoutMs: 20 });
    await pass(w);
    assert.equal(db.deliveries.all()[0]?.lastError, "no answer within 20 ms");
    clock.advance(1_000);
    const w2 = worker(hanging, { requestTimeoutMs: 60_000 });
    w2.tick();
    await w2.stop();
    const row = db.deliveries.all()[0];
    assert.equal(row?.attempts, 1, "the interrupted attempt is not counted; the row stays");
  });

  it("wakes and polls on its own once started, with timers that do not hold the process", async () => {
    const { fetch, calls } = scriptedFetch([200]);
    rule("r", { source: ["aws.apprunner"] }, [{}]);
    const w = worker(fetch, { pollIntervalMs: 10 });
    w.start();
    store.outbox.append(busEvent("e1"), clock.now());
    const until = Date.now() + 5_000;
    while (calls.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await w.stop();
    assert.equal(calls.length, 1);
  });
});
