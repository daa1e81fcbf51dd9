import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TrailEntry } from "./cloudtrail-event.js";
import { packedBatchOf, PackedTrailQueue, unpackRows } from "./packed-trail.js";
import { trailRow } from "./trail-store.js";

const entry = (n: number, over: Partial<TrailEntry> = {}): TrailEntry => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  eventTime: 1_733_000_000_000 + 1000 * n,
  eventName: "DescribeService",
  eventSource: "apprunner.amazonaws.com",
  readOnly: n % 2 === 0,
  username: n % 3 === 0 ? undefined : "root",
  accessKeyId: n % 4 === 0 ? undefined : "AKIAROOT",
  resources:
    n % 5 === 0
      ? []
      : [
          { ResourceType: "AWS::AppRunner::Service", ResourceName: `arn:aws:apprunner:us-east-1:123456789012:service/s${n}/abc` },
          { ResourceType: "AWS::AppRunner::Connection", ResourceName: `ärn-${n}` },
        ],
  event: JSON.stringify({ n, text: "ü→ 日本 \u{1F600}" }),
  ...over,
});

const ids = (rows: ReturnType<typeof unpackRows>): string[] => rows.map((r) => r[0]);

describe("recorded events packed as bytes", () => {
  it("come back as the rows the store appends, nulls, non-ASCII text and resources included", () => {
    const entries = Array.from({ length: 12 }, (_, i) => entry(i + 1));
    const batch = packedBatchOf(entries);
    assert.equal(batch.count, 12);
    assert.equal(batch.bytes.byteOffset, 0);
    assert.equal(batch.bytes.buffer.byteLength, batch.bytes.byteLength, "a batch owns exactly its bytes: a message copies no more");
    assert.deepEqual(unpackRows(batch), entries.map((e) => trailRow(e)));
  });

  it("grow past the first buffer, keeping every row", () => {
    const q = new PackedTrailQueue();
    const big = "x".repeat(50_000);
    const entries = Array.from({ length: 9 }, (_, i) => entry(i + 1, { event: `${big}${i}` }));
    for (const e of entries) q.push(e);
    assert.equal(q.length, 9);
    assert.deepEqual(unpackRows(q.take()), entries.map((e) => trailRow(e)));
    assert.equal(q.length, 0);
    assert.deepEqual(unpackRows(q.take()), []);
  });

  it("drop the oldest, and a failed batch goes back in front of what came since", () => {
    const q = new PackedTrailQueue();
    for (let n = 1; n <= 5; n++) q.push(entry(n));
    q.dropOldest(2);
    assert.equal(q.length, 3);
    const failed = q.take();
    q.push(entry(6));
    q.putBack(failed);
    assert.equal(q.length, 4);
    assert.equal(q.sizeOf(failed), 3);
    assert.deepEqual(ids(unpackRows(q.take())), [3, 4, 5, 6].map((n) => entry(n).eventId));
    q.push(entry(7));
    q.dropOldest(5);
    assert.equal(q.length, 0);
    q.push(entry(8));
    assert.deepEqual(ids(unpackRows(q.take())), [entry(8).eventId]);
  });

  it("a put-back batch larger than the buffer is kept whole", () => {
    const q = new PackedTrailQueue();
    const big = Array.from({ length: 4 }, (_, i) => entry(i + 1, { event: "y".repeat(40_000) }));
    const failed = packedBatchOf(big);
    q.push(entry(9));
    q.putBack(failed);
    q.push(entry(10));
    assert.deepEqual(unpackRows(q.take()), [...big, entry(9), entry(10)].map((e) => trailRow(e)));
  });
});
