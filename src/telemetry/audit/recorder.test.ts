import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TrailEntry } from "./cloudtrail-event.js";
import { arrayQueue, TrailRecorder } from "./recorder.js";

const entry = (n: number): TrailEntry => ({
  eventId: String(n),
  eventTime: n,
  eventName: "ListServices",
  eventSource: "apprunner.amazonaws.com",
  readOnly: true,
  username: undefined,
  accessKeyId: undefined,
  resources: [],
  event: "{}",
});

describe("the trail recorder", () => {
  it("writes a waiting event when its timer fires", async () => {
    const written: string[] = [];
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write: (b) => void written.push(...b.map((e) => e.eventId)), logger: () => undefined, flushEveryMs: 1 });
    r.record(entry(1));
    const until = Date.now() + 5000;
    while (written.length === 0 && Date.now() < until) await new Promise((ok) => setTimeout(ok, 5));
    assert.deepEqual(written, ["1"]);
    r.stop();
  });

  it("writes nothing on record, everything on flush, in order", () => {
    const batches: string[][] = [];
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write: (b) => void batches.push(b.map((e) => e.eventId)), logger: () => undefined });
    r.record(entry(1));
    r.record(entry(2));
    assert.deepEqual(batches, []);
    r.flush();
    r.flush();
    assert.deepEqual(batches, [["1", "2"]]);
  });

  it("keeps a batch whose write failed, logs it, and writes it with the next", () => {
    const logs: string[] = [];
    let fail = true;
    const written: string[] = [];
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(),
      write: (b) => {
        if (fail) throw new Error("disk full");
        written.push(...b.map((e) => e.eventId));
      },
      logger: (m) => logs.push(m),
    });
    r.record(entry(1));
    r.flush();
    assert.deepEqual(written, []);
    assert.match(logs.join("\n"), /write failed/);
    fail = false;
    r.record(entry(2));
    r.flush();
    assert.deepEqual(written, ["1", "2"]);
  });

  it("drops the oldest past its bound and says how many", () => {
    const logs: { m: string; f?: Record<string, unknown> }[] = [];
    const written: string[] = [];
    const write = (b: readonly TrailEntry[]): void => void written.push(...b.map((e) => e.eventId));
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write, logger: (m, f) => logs.push({ m, f }), maxBuffered: 3, batchSize: 100 });
    for (let i = 1; i <= 5; i++) r.record(entry(i));
    r.flush();
    assert.deepEqual(written, ["3", "4", "5"]);
    assert.deepEqual(logs[0]?.f, { dropped: 2 });
  });

  it("has room until maxBuffered events wait (the store failing), then again once they are written", () => {
    let fail = true;
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(),
      write: () => {
        if (fail) throw new Error("disk full");
      },
      logger: () => undefined,
      maxBuffered: 2,
      batchSize: 100,
    });
    r.record(entry(1));
    assert.equal(r.hasRoom(), true);
    r.record(entry(2));
    r.flush();
    assert.equal(r.hasRoom(), false, "two events wait for a store that keeps failing");
    fail = false;
    r.flush();
    assert.equal(r.hasRoom(), true);
    r.stop();
  });

  it("writes a full batch on the next turn without waiting for the timer", async () => {
    const written: string[] = [];
    const write = (b: readonly TrailEntry[]): void => void written.push(...b.map((e) => e.eventId));
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write, logger: () => undefined, batchSize: 2, flushEveryMs: 60_000 });
    r.record(entry(1));
    r.record(entry(2));
    assert.deepEqual(written, []);
    await new Promise<void>((ok) => setImmediate(ok));
    assert.deepEqual(written, ["1", "2"]);
    r.stop();
  });

  it("stop writes what is left", () => {
    const written: string[] = [];
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write: (b) => void written.push(...b.map((e) => e.eventId)), logger: () => undefined });
    r.record(entry(9));
    r.stop();
    assert.deepEqual(written, ["9"]);
  });

  it("an asynchronous writer: one batch at a time, settled() waits for all, a failed batch comes back first", async () => {
    const writes: { ids: string[]; done: (err?: Error) => void }[] = [];
    const logged: string[] = [];
    const write = (b: readonly TrailEntry[]): Promise<void> =>
      new Promise<void>((ok, fail) => writes.push({ ids: b.map((e) => e.eventId), done: (err) => (err ? fail(err) : ok()) }));
    const r = new TrailRecorder({ queue: arrayQueue<TrailEntry>(), write, logger: (m) => void logged.push(m), maxBuffered: 3, flushEveryMs: 60_000 });
    r.record(entry(1));
    r.flush();
    r.record(entry(2));
    r.record(entry(3));
    r.flush();
    assert.deepEqual(writes.map((w) => w.ids), [["1"]], "no second write while one is under way");
    assert.equal(r.hasRoom(), false, "the batch under way counts against the bound");
    writes[0]?.done(new Error("disk full"));
    await new Promise<void>((ok) => setImmediate(ok));
    assert.deepEqual(logged, ["audit trail write failed; will retry"]);
    const settled = r.settled();
    assert.deepEqual(writes.map((w) => w.ids), [["1"], ["1", "2", "3"]], "the failed batch is retried first, in order");
    let done = false;
    void settled.then(() => (done = true));
    r.record(entry(4));
    writes[1]?.done();
    await new Promise<void>((ok) => setImmediate(ok));
    assert.equal(done, false, "what was recorded meanwhile is written before settled() resolves");
    assert.deepEqual(writes.map((w) => w.ids)[2], ["4"]);
    writes[2]?.done();
    await settled;
    assert.equal(r.hasRoom(), true);
    await r.close();
    assert.equal(writes.length, 3);
  });
});
