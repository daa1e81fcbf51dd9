import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import type { ServiceRef } from "../telemetry/metrics/catalog.js";
import type { InstanceReport, MetricsRecorder, RequestReport, SecondSample } from "../telemetry/metrics/recorder.js";
import { ManualClock } from "../util/clock.js";
import { parseRequestLog, REQUEST_LOG_FORMAT, RequestLogReceiver, type ParsedRequest } from "./request-log.js";

const SID = "0123456789abcdef0123456789abcdef";
const IID = "9f00000000000000000000000000e1e1";
const HEADER = "<134>Dec  1 19:33:45 haproxy[7124]: ";

describe("parseRequestLog", () => {
  const service = (over: Partial<ParsedRequest>): ParsedRequest => ({
    backend: `s_${SID}`,
    serviceId: SID,
    instanceId: IID,
    status: 200,
    totalMs: 13,
    queueMs: 0,
    activeConnections: 1,
    backendConnections: 0,
    serverConnections: 0,
    ...over,
  });
  const table: Array<[string, string, ParsedRequest | undefined]> = [
    // Lines captured from HAProxy 2.6.12 with the router's log-format.
    ["an instance's 200", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0/0\n`, service({})],
    ["an instance's 404", `${HEADER}or1 s_${SID} ${IID} 404 7 0 1/0/0\n`, service({ status: 404, totalMs: 7 })],
    ["a server timeout (504)", `${HEADER}or1 s_${SID} ${IID} 504 1002 0 1/0/0\n`, service({ status: 504, totalMs: 1002 })],
    [
      "a full queue that timed out: NOSRV 503, counted for the service",
      `${HEADER}or1 s_${SID} <NOSRV> 503 302 302 3/2/0\n`,
      service({ instanceId: undefined, status: 503, totalMs: 302, queueMs: 302, activeConnections: 3, backendConnections: 2 }),
    ],
    [
      "an unknown host: not a service's backend",
      `${HEADER}or1 be_unknown <NOSRV> 404 0 -1 1/0/0\n`,
      {
        backend: "be_unknown",
        serviceId: undefined,
        instanceId: undefined,
        status: 404,
        totalMs: 0,
        queueMs: -1,
        activeConnections: 1,
        backendConnections: 0,
        serverConnections: 0,
      },
    ],
    [
      "a request rejected before routing carries the frontend's name",
      `${HEADER}or1 fe <NOSRV> 400 0 -1 1/0/0\n`,
      {
        backend: "fe",
        serviceId: undefined,
        instanceId: undefined,
        status: 400,
        totalMs: 0,
        queueMs: -1,
        activeConnections: 1,
        backendConnections: 0,
        serverConnections: 0,
      },
    ],
    ["no status sent", `${HEADER}or1 s_${SID} ${IID} -1 250 0 4/3/2\n`, service({ status: -1, totalMs: 250, activeConnections: 4, backendConnections: 3, serverConnections: 2 })],
    ["a host name in the header and no newline", `<134>Dec 11 09:03:05 host1 haproxy[1]: or1 s_${SID} ${IID} 200 13 0 1/0/0`, service({})],
    ["bare fields (format raw)", `or1 s_${SID} ${IID} 200 13 0 1/0/0\r\n`, service({})],
    ["a bare `s_` is not a service", `or1 s_ ${IID} 200 13 0 1/0/0`, { ...service({}), backend: "s_", serviceId: undefined }],
    ["HAProxy's own notices", "<133>Dec  1 19:33:45 haproxy[7124]: Proxy fe started.\n", undefined],
    ["another log-format", `${HEADER}127.0.0.1:5000 [01/Dec/2025:19:33:45.123] fe s_${SID}/${IID} 0/0/1/2/3 200 12\n`, undefined],
    ["a future version of the format", `${HEADER}or2 s_${SID} ${IID} 200 13 0 1/0/0\n`, undefined],
    ["an extra field", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0/0 extra\n`, undefined],
    ["a truncated line", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0`, undefined],
    ["a non-numeric status", `${HEADER}or1 s_${SID} ${IID} abc 13 0 1/0/0\n`, undefined],
    ["a lone minus", `${HEADER}or1 s_${SID} ${IID} - 13 0 1/0/0\n`, undefined],
    ["two spaces", `${HEADER}or1 s_${SID}  200 13 0 1/0/0\n`, undefined],
    ["an empty datagram", "", undefined],
  ];
  for (const [name, line, want] of table) {
    it(name, () => assert.deepEqual(parseRequestLog(line), want));
  }

  it("documents the format it parses", () => {
    assert.equal(REQUEST_LOG_FORMAT, "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc");
  });
});

interface Call {
  service: ServiceRef;
  second: number;
  report: RequestReport;
}

class FakeRecorder implements MetricsRecorder {
  readonly calls: Call[] = [];
  failNext = false;
  recordRequests(service: ServiceRef, second: number, report: RequestReport): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("store is closed");
    }
    this.calls.push({ service, second, report });
  }
  recordActiveInstances(_service: ServiceRef, _second: number, _count: number): void {}
  recordInstance(_service: ServiceRef, _instance: string, _second: number, _report: InstanceReport): void {}
  recentSeconds(_serviceId: string, _nowSecond: number, _seconds: number): SecondSample[] {
    return [];
  }
}

const until = async (what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("RequestLogReceiver", () => {
  it("records one report per service per second over real UDP", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0, 100));
    const second = Math.floor(clock.now() / 1000);
    const recorder = new FakeRecorder();
    const logs: string[] = [];
    const other = "fedcba9876543210fedcba9876543210";
    const known = new Map<string, ServiceRef>([
      [SID, { serviceName: "web", serviceId: SID }],
      [other, { serviceName: "api", serviceId: other }],
    ]);
    const receiver = new RequestLogReceiver({
      recorder,
      services: (id) => known.get(id),
      clock,
      logger: (message) => logs.push(message),
      flushIntervalMs: 3_600_000,
    });
    const { port } = await receiver.start();
    const client = dgram.createSocket("udp4");
    const send = async (lines: string[]): Promise<void> => {
      const before = receiver.stats().datagrams;
      for (const l of lines) await new Promise<void>((res, rej) => client.send(l, port, "127.0.0.1", (err) => (err ? rej(err) : res())));
      await until(`${lines.length} datagrams`, () => receiver.stats().datagrams === before + lines.length);
    };
    try {
      await send([
        `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0/0\n`,
        `${HEADER}or1 s_${SID} ${IID} 201 7 0 1/0/0\n`,
        `${HEADER}or1 s_${SID} ${IID} 404 2 0 1/0/0\n`,
        `${HEADER}or1 s_${SID} <NOSRV> 503 302 302 3/2/0\n`,
        `${HEADER}or1 s_${SID} ${IID} 302 1 0 1/0/0\n`,
        `${HEADER}or1 s_${other} ${IID} 500 40 0 1/0/0\n`,
        `${HEADER}or1 be_unknown <NOSRV> 404 0 -1 1/0/0\n`,
        `${HEADER}or1 s_ffffffffffffffffffffffffffffffff ${IID} 200 1 0 1/0/0\n`,
        "<133>Dec  1 19:33:45 haproxy[7124]: Proxy fe started.\n",
      ]);
      receiver.flush();
      assert.equal(recorder.calls.length, 0, "the second has not passed yet");

      clock.advance(1000);
      // A request of the next second pushes out the previous second of that service at once.
      await send([`${HEADER}or1 s_${SID} ${IID} 200 5 0 1/0/0\n`]);
      assert.deepEqual(recorder.calls, [
        {
          service: { serviceName: "web", serviceId: SID },
          second,
          report: { requests: 5, status2xx: 2, status4xx: 1, status5xx: 1, latenciesMs: [13, 7, 2, 302, 1] },
        },
      ]);
      receiver.flush();
      assert.equal(recorder.calls.length, 2, "the other services' passed second is flushed");
      assert.deepEqual(recorder.calls[1], {
        service: { serviceName: "api", serviceId: other },
        second,
        report: { requests: 1, status2xx: 0, status4xx: 0, status5xx: 1, latenciesMs: [40] },
      });

      // A failing recorder is logged and counted, and the next second still works.
      clock.advance(1000);
      recorder.failNext = true;
      receiver.flush();
      assert.equal(recorder.calls.length, 2);
      await send([`${HEADER}or1 s_${SID} ${IID} 200 9 0 1/0/0\n`]);
      assert.deepEqual(receiver.stats(), {
        datagrams: 11,
        serviceRequests: 9,
        unrouted: 1,
        malformed: 1,
        unknownService: 1,
        recordFailures: 1,
      });
      assert.ok(logs.some((l) => l.includes("recording a second of requests failed")), logs.join("\n"));
      assert.ok(logs.some((l) => l.includes("unknown service")), logs.join("\n"));
      assert.ok(logs.some((l) => l.includes("not request logs")), logs.join("\n"));
    } finally {
      client.close();
      await receiver.stop();
    }
    // stop() records the current second too.
    assert.deepEqual(recorder.calls.slice(2), [
      {
        service: { serviceName: "web", serviceId: SID },
        second: second + 2,
        report: { requests: 1, status2xx: 1, status4xx: 0, status5xx: 0, latenciesMs: [9] },
      },
    ]);
  });

  it("forgets idle services and refuses a second start", async () => {
    const clock = new ManualClock();
    const recorder = new FakeRecorder();
    const receiver = new RequestLogReceiver({
      recorder,
      services: (id) => ({ serviceName: "x", serviceId: id }),
      clock,
      logger: () => {},
    });
    const { port } = await receiver.start();
    try {
      await assert.rejects(receiver.start(), /already started/);
      const client = dgram.createSocket("udp4");
      await new Promise<void>((res, rej) =>
        client.send(`or1 s_${SID} ${IID} 200 3 0 1/0/0`, port, "127.0.0.1", (err) => (err ? rej(err) : res())),
      );
      client.close();
      await until("the datagram", () => receiver.stats().datagrams === 1);
      clock.advance(1000);
      receiver.flush();
      receiver.flush();
      assert.equal(recorder.calls.length, 1);
      assert.equal((receiver as unknown as { buckets: Map<string, unknown> }).buckets.size, 0);
    } finally {
      await receiver.stop();
    }
    assert.equal(recorder.calls.length, 1, "nothing pending at stop");
  });
});
