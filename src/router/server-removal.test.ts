import assert from "node:assert/strict";
import { test } from "node:test";
import { RELEASE_GRACE_MS, removalStep, streamsByServer, type RemovalState } from "./server-removal.js";

test("streamsByServer counts the streams of one backend by their target server", () => {
  const out = [
    "0x55d1: proto=tcpv4 src=127.0.0.1:40000 fe=https be=s_abc srv=i1 ts=00 epoch=0x1 age=0s calls=3 rate=0 cpu=0 lat=0",
    "0x55d2: proto=tcpv4 src=127.0.0.1:40001 fe=https be=s_abc srv=i1 ts=00 epoch=0x2 age=1s calls=2 rate=0 cpu=0 lat=0",
    "0x55d3: proto=tcpv4 src=127.0.0.1:40002 fe=https be=s_abc srv=i2 ts=00 epoch=0x3 age=0s calls=1 rate=0 cpu=0 lat=0",
    "0x55d4: proto=tcpv4 src=127.0.0.1:40003 fe=https be=s_abc srv=<none> ts=00 epoch=0x4",
    "0x55d5: proto=tcpv4 src=127.0.0.1:40004 fe=https be=s_abcd srv=i1 ts=00 epoch=0x5",
    "0x55d6: proto=unix_stream src=unix:1 fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0x6",
    "",
  ].join("\n");
  assert.deepEqual([...streamsByServer(out, "s_abc")], [
    ["i1", 2],
    ["i2", 1],
  ]);
  assert.deepEqual([...streamsByServer(out, "s_zzz")], []);
});

const base: RemovalState = { servers: [{ busy: 0, streams: 0 }], oldWorkers: 0, elapsedMs: 0, timeoutMs: 30_000, sessionsClosed: false };

const cases: Array<[string, Partial<RemovalState>, ReturnType<typeof removalStep>]> = [
  ["nothing references it", {}, "delete"],
  ["a request in flight", { servers: [{ busy: 1, streams: 1 }] }, "wait"],
  // The crash: scur and qcur are 0 while a stream waits to retry its refused connection.
  ["only a stream waiting to retry names it", { servers: [{ busy: 0, streams: 1 }] }, "wait"],
  ["one of two servers still referenced", { servers: [{ busy: 0, streams: 0 }, { busy: 0, streams: 2 }] }, "wait"],
  ["an old worker may still use the instance", { oldWorkers: 1 }, "wait"],
  ["an old worker outlives the timeout: safe to delete here", { oldWorkers: 1, elapsedMs: 30_000 }, "delete"],
  ["requests outlive the timeout", { servers: [{ busy: 2, streams: 2 }], elapsedMs: 30_000 }, "close-sessions"],
  ["sessions closed, streams not yet released", { servers: [{ busy: 0, streams: 1 }], elapsedMs: 31_000, sessionsClosed: true }, "wait"],
  ["sessions closed and released", { elapsedMs: 31_000, sessionsClosed: true }, "delete"],
  ["still referenced long after: never deleted", { servers: [{ busy: 0, streams: 1 }], elapsedMs: 30_000 + RELEASE_GRACE_MS, sessionsClosed: true }, "keep"],
];

for (const [name, over, want] of cases) {
  test(`removalStep: ${name} -> ${want}`, () => {
    assert.equal(removalStep({ ...base, ...over }), want);
  });
}
