import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import type { ServiceRef } from "../telemetry/metrics/catalog.js";
import type { InstanceReport, MetricsRecorder, RequestReport, SecondSample } from "../telemetry/metrics/recorder.js";
import { ManualClock, systemClock } from "../util/clock.js";
import type { CounterSnapshot } from "./request-counts.js";
import { RequestLogReceiver } from "./request-log.js";

const SID = "0123456789abcdef0123456789abcdef";
const IID = "9f00000000000000000000000000e1e1";

/** A ring forwarder's connection: writes text and waits until the receiver has counted `lines` more lines. */
async function connect(port: number, receiver: RequestLogReceiver): Promise<{ send: (text: string, lines: number) => Promise<void>; close: () => void; closed: Promise<void> }> {
  const socket = net.connect(port, "127.0.0.1");
  const closed = new Promise<void>((res) => socket.once("close", () => res()));
  socket.on("error", () => {});
  await new Promise<void>((res, rej) => socket.once("connect", res).once("error", rej));
  return {
    closed,
    async send(text, lines) {
      const before = receiver.stats().lines;
      await new Promise<void>((res, rej) => socket.write(text, (err) => (err ? rej(err) : res())));
      await until(`${lines} lines`, () => receiver.stats().lines === before + lines);
    },
    close: () => socket.destroy(),
  };
}

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
  it("records one report per service per second from lines over TCP", async () => {
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
    const ring = await connect(port, receiver);
    // During a reload the old worker's forwarder and the new one's are both connected.
    const second_ring = await connect(port, receiver);
    try {
      // A line may be split across reads.
      await ring.send(`or1 s_${SID} ${IID} 200 13 0 1/0/0\nor1 s_${SID} ${IID} 201 7 `, 1);
      await ring.send(`0 1/0/0\nor1 s_${SID} ${IID} 404 2 0 1/0/0\n`, 2);
      await second_ring.send(`or1 s_${SID} <NOSRV> 503 302 302 3/2/0\nor1 s_${SID} ${IID} 302 1 0 1/0/0\n`, 2);
      await ring.send(
        [
          `or1 s_${other} ${IID} 500 40 0 1/0/0`,
          `or1 be_unknown <NOSRV> 404 0 -1 1/0/0`,
          `or1 s_ffffffffffffffffffffffffffffffff ${IID} 200 1 0 1/0/0`,
          "Proxy fe started.",
          "",
        ].join("\n"),
        4,
      );
      // Bytes without an end are not buffered without bound: they count as one malformed line.
      await ring.send("x".repeat(5000), 1);
      await ring.send("\n", 1);
      receiver.flush();
      assert.equal(recorder.calls.length, 0, "the second has not passed yet");

      clock.advance(1000);
      // A request of the next second pushes out the previous second of that service at once.
      await ring.send(`or1 s_${SID} ${IID} 200 5 0 1/0/0\n`, 1);
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
      await second_ring.send(`or1 s_${SID} ${IID} 200 9 0 1/0/0\n`, 1);
      assert.deepEqual(receiver.stats(), {
        lines: 13,
        serviceRequests: 9,
        unrouted: 1,
        malformed: 3,
        unknownService: 1,
        recordFailures: 1,
        counterFailures: 0,
      });
      assert.ok(logs.some((l) => l.includes("recording a second of requests failed")), logs.join("\n"));
      assert.ok(logs.some((l) => l.includes("unknown service")), logs.join("\n"));
      assert.ok(logs.some((l) => l.includes("not request logs")), logs.join("\n"));
    } finally {
      ring.close();
      second_ring.close();
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
      const ring = await connect(port, receiver);
      await ring.send(`or1 s_${SID} ${IID} 200 3 0 1/0/0\n`, 1);
      clock.advance(1000);
      receiver.flush();
      receiver.flush();
      assert.equal(recorder.calls.length, 1);
      assert.equal((receiver as unknown as { buckets: Map<string, unknown> }).buckets.size, 0);
      // stop() closes the forwarder's connection as well as the listener.
      await receiver.stop();
      await ring.closed;
    } finally {
      await receiver.stop();
    }
    assert.equal(recorder.calls.length, 1, "nothing pending at stop");
  });

  it("with the router's counters: counts from them, latencies from the (sampled) lines", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 5, 100));
    const recorder = new FakeRecorder();
    const logs: string[] = [];
    const snapshots: Array<CounterSnapshot | Error> = [
      { worker: 7, backends: [{ serviceId: SID, requests: 1000, status2xx: 990, status4xx: 10, status5xx: 0 }] },
      { worker: 7, backends: [{ serviceId: SID, requests: 1300, status2xx: 1280, status4xx: 15, status5xx: 5 }] },
      new Error("admin socket gone"),
      { worker: 8, backends: [{ serviceId: SID, requests: 20, status2xx: 20, status4xx: 0, status5xx: 0 }] },
    ];
    const receiver = new RequestLogReceiver({
      recorder,
      services: (id) => ({ serviceName: "web", serviceId: id }),
      clock,
      logger: (message) => logs.push(message),
      flushIntervalMs: 3_600_000,
      counters: () => {
        const next = snapshots.shift();
        if (next === undefined) throw new Error("no more snapshots");
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
    });
    const { port } = await receiver.start();
    const ring = await connect(port, receiver);
    try {
      // The first read is the baseline: lines before it are of requests it already counted.
      await ring.send(`or1 s_${SID} ${IID} 200 99 0 1/0/0\n`, 1);
      await receiver.tick();
      assert.equal(recorder.calls.length, 0);

      clock.advance(1000);
      await ring.send(`or1 s_${SID} ${IID} 200 13 0 1/0/0\nor1 s_${SID} ${IID} 404 2 0 1/0/0\n`, 2);
      await receiver.tick();
      assert.deepEqual(recorder.calls, [
        {
          service: { serviceName: "web", serviceId: SID },
          second: Math.floor(clock.now() / 1000) - 1,
          report: { requests: 300, status2xx: 290, status4xx: 5, status5xx: 5, latenciesMs: [13, 2] },
        },
      ]);

      // A failed read records nothing and is logged; a reload's new worker counts from 0.
      clock.advance(1000);
      await ring.send(`or1 s_${SID} ${IID} 200 4 0 1/0/0\n`, 1);
      await receiver.tick();
      assert.equal(recorder.calls.length, 1);
      assert.equal(receiver.stats().counterFailures, 1);
      assert.ok(logs.some((l) => l.includes("reading the router's counters failed")), logs.join("\n"));
      clock.advance(1000);
      await receiver.tick();
      assert.deepEqual(recorder.calls[1]?.report, { requests: 20, status2xx: 20, status4xx: 0, status5xx: 0, latenciesMs: [4] });
    } finally {
      ring.close();
      await receiver.stop();
    }
  });

  it("reads the counters on its own, just after each second begins, through Node's timers", async () => {
    const recorder = new FakeRecorder();
    let reads = 0;
    const receiver = new RequestLogReceiver({
      recorder,
      services: (id) => ({ serviceName: "web", serviceId: id }),
      clock: systemClock,
      logger: () => undefined,
      counters: () => {
        reads++;
        return Promise.resolve({ worker: 7, backends: [{ serviceId: SID, requests: 10 * reads, status2xx: 10 * reads, status4xx: 0, status5xx: 0 }] });
      },
    });
    await receiver.start();
    try {
      // The first read is the baseline; the second records the second that passed in between.
      await until("a second recorded by the timer", () => recorder.calls.length > 0, 10_000);
      assert.deepEqual(recorder.calls[0]?.report, { requests: 10, status2xx: 10, status4xx: 0, status5xx: 0, latenciesMs: [] });
    } finally {
      await receiver.stop();
    }
  });
});
