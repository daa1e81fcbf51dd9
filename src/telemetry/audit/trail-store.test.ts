import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { entryNumbers as ids, trailEntry as entry } from "../../../test/support/trail-entries.js";
import type { TrailResource } from "./resources.js";
import { openTrailDb } from "./trail-db.js";
import { TrailStore, type LookupAttributeKey } from "./trail-store.js";

const SERVICE = "arn:aws:apprunner:us-east-1:123456789012:service/a/0123456789abcdef0123456789abcdef";
const OTHER = "arn:aws:apprunner:us-east-1:123456789012:service/b/fedcba9876543210fedcba9876543210";


const service = (arn: string): TrailResource => ({ ResourceType: "AWS::AppRunner::Service", ResourceName: arn });

describe("the trail store", () => {
  let dir: string;
  let store: TrailStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trail-store-"));
    store = TrailStore.open(join(dir, "trail.db"));
    store.append([
      entry(1, 1000, { eventName: "CreateService", readOnly: false, resources: [service(SERVICE)] }),
      entry(2, 2000, { resources: [service(SERVICE)] }),
      entry(3, 2000, { username: "alice", accessKeyId: "AKIAALICE" }),
      entry(4, 3000, {
        eventName: "ListServicesForAutoScalingConfiguration",
        resources: [service(SERVICE), service(OTHER)],
      }),
      entry(5, 4000, { eventName: "PutLogEvents", eventSource: "logs.amazonaws.com", readOnly: false }),
    ]);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const all = { start: 0, end: 10_000, limit: 50 };

  it("is WAL with incremental auto-vacuum", () => {
    const db = new Database(join(dir, "trail.db"), { readonly: true });
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(db.pragma("auto_vacuum", { simple: true }), 2);
    } finally {
      db.close();
    }
  });

  it("checkpoints its WAL every 10,000 pages, not SQLite's 1,000 (each checkpoint fsyncs both files)", () => {
    const db = openTrailDb(join(dir, "checkpoint.db"));
    try {
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 10_000);
    } finally {
      db.close();
    }
  });

  it("returns newest first; equal times in arrival order, newest first", () => {
    assert.deepEqual(ids(store.lookup(all)), [5, 4, 3, 2, 1]);
  });

  it("looks up by each attribute", () => {
    const by = (key: LookupAttributeKey, value: string | number): number[] =>
      ids(store.lookup({ ...all, attribute: { key, value } }));
    assert.deepEqual(by("EventName", "CreateService"), [1]);
    assert.deepEqual(by("ReadOnly", 0), [5, 1]);
    assert.deepEqual(by("ReadOnly", 1), [4, 3, 2]);
    assert.deepEqual(by("Username", "alice"), [3]);
    assert.deepEqual(by("AccessKeyId", "AKIAROOT"), [5, 4, 2, 1]);
    assert.deepEqual(by("EventSource", "logs.amazonaws.com"), [5]);
    assert.deepEqual(by("EventId", "00000000-0000-4000-8000-000000000002"), [2]);
    assert.deepEqual(by("ResourceType", "AWS::AppRunner::Service"), [4, 2, 1], "an event naming two services comes once");
    assert.deepEqual(by("ResourceName", OTHER), [4]);
  });

  it("keeps to the time range, both ends inclusive", () => {
    assert.deepEqual(ids(store.lookup({ start: 2000, end: 3000, limit: 50 })), [4, 3, 2]);
  });

  it("pages after a cursor without gaps or repeats", () => {
    const first = store.lookup({ ...all, limit: 2 });
    assert.deepEqual(ids(first), [5, 4]);
    const last = first[1];
    assert.ok(last);
    const second = store.lookup({ ...all, limit: 2, before: { time: last.eventTime, seq: last.seq } });
    assert.deepEqual(ids(second), [3, 2]);
    const last2 = second[1];
    assert.ok(last2);
    assert.deepEqual(ids(store.lookup({ ...all, limit: 2, before: { time: last2.eventTime, seq: last2.seq } })), [1]);
  });

  it("skips an event id it already has (a retried batch)", () => {
    store.append([entry(2, 2000)]);
    assert.equal(store.lookup(all).length, 5);
  });

  it("deletes expired events in batches, with their resource rows", () => {
    const s = TrailStore.open(join(dir, "expiry.db"));
    try {
      s.append(Array.from({ length: 7 }, (_, i) => entry(100 + i, 1000 + i, { resources: [service(SERVICE)] })));
      assert.equal(s.deleteExpired(1005, 3), 3);
      assert.equal(s.deleteExpired(1005, 3), 2);
      assert.equal(s.deleteExpired(1005, 3), 0);
      s.reclaim(10);
      assert.deepEqual(ids(s.lookup(all)), [106, 105]);
      assert.deepEqual(ids(s.lookup({ ...all, attribute: { key: "ResourceName", value: SERVICE } })), [106, 105]);
    } finally {
      s.close();
    }
    const db = new Database(join(dir, "expiry.db"), { readonly: true });
    try {
      // An event's first resource is in its own row (schema 3), the others in event_resources: both places count.
      const resourceRecords = "SELECT (SELECT COUNT(*) FROM event_resources) + (SELECT COUNT(*) FROM events WHERE resource_type IS NOT NULL) AS n";
      assert.equal((db.prepare(resourceRecords).get() as { n: number }).n, 2);
    } finally {
      db.close();
    }
  });
});
