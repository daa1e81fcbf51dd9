import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { openSqlite } from "../../store/database.js";
import type { TrailEntry } from "./cloudtrail-event.js";
import { entryNumbers as ids, trailEntry as entry } from "../../../test/support/trail-entries.js";
import { TRAIL_MIGRATIONS } from "./trail-db.js";
import { PAIRED } from "./trail-lookup.js";
import { TrailStore, type LookupAttributeKey } from "./trail-store.js";

const all = { start: 0, end: 100_000, limit: 50 };

/** Events spread over several (source, ReadOnly) and (username, access key) pairs, NULLs included. */
const EVENTS: TrailEntry[] = [
  entry(1, 1000, { eventName: "CreateService", readOnly: false }),
  entry(2, 2000, { username: "alice", accessKeyId: "AKIAALICE1" }),
  entry(3, 2000, { eventSource: "logs.amazonaws.com", eventName: "GetLogEvents", username: "alice", accessKeyId: "AKIAALICE2" }),
  entry(4, 3000, { eventSource: "logs.amazonaws.com", eventName: "PutLogEvents", readOnly: false }),
  entry(5, 3000, { username: undefined, accessKeyId: undefined }),
  entry(6, 4000, { eventSource: "events.amazonaws.com", eventName: "PutRule", readOnly: false, username: "alice", accessKeyId: "AKIAALICE1" }),
  entry(7, 5000, { username: "bob", accessKeyId: undefined }),
  entry(8, 5000, { eventSource: "monitoring.amazonaws.com", eventName: "ListMetrics", username: undefined, accessKeyId: "AKIALOST" }),
];

/** What one index per attribute answered: every event with the value, newest first. */
const expected = (pick: (e: TrailEntry) => unknown, value: unknown): number[] =>
  EVENTS.map((e, i) => ({ e, n: i + 1 }))
    .filter(({ e }) => pick(e) === value)
    .sort((a, b) => b.e.eventTime - a.e.eventTime || b.n - a.n)
    .map(({ n }) => n);

describe("lookups by attributes that share an index", () => {
  let dir: string;
  let store: TrailStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trail-lookup-"));
    store = TrailStore.open(join(dir, "trail.db"));
    store.append(EVENTS);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [LookupAttributeKey, string | number, (e: TrailEntry) => unknown, unknown][] = [
    ["EventSource", "apprunner.amazonaws.com", (e) => e.eventSource, "apprunner.amazonaws.com"],
    ["EventSource", "logs.amazonaws.com", (e) => e.eventSource, "logs.amazonaws.com"],
    ["ReadOnly", 1, (e) => e.readOnly, true],
    ["ReadOnly", 0, (e) => e.readOnly, false],
    ["Username", "alice", (e) => e.username, "alice"],
    ["Username", "bob", (e) => e.username, "bob"],
    ["Username", "root", (e) => e.username, "root"],
    ["AccessKeyId", "AKIAALICE1", (e) => e.accessKeyId, "AKIAALICE1"],
    ["AccessKeyId", "AKIALOST", (e) => e.accessKeyId, "AKIALOST"],
    ["AccessKeyId", "AKIAROOT", (e) => e.accessKeyId, "AKIAROOT"],
    ["Username", "nobody", (e) => e.username, "nobody"],
  ];
  for (const [key, value, pick, match] of cases) {
    it(`${key} = ${value}: the events one index of its own returned, in its order, page by page`, () => {
      const want = expected(pick, match);
      assert.deepEqual(ids(store.lookup({ ...all, attribute: { key, value } })), want);
      const paged: number[] = [];
      let cursor: { time: number; seq: number } | undefined;
      for (let page = 0; page < 10; page++) {
        const rows = store.lookup({ ...all, limit: 2, attribute: { key, value }, ...(cursor ? { before: cursor } : {}) });
        paged.push(...ids(rows));
        const last = rows.at(-1);
        if (rows.length < 2 || !last) break;
        cursor = { time: last.eventTime, seq: last.seq };
      }
      assert.deepEqual(paged, want, "pages without gaps or repeats");
      assert.deepEqual(ids(store.lookup({ start: 2000, end: 3000, limit: 50, attribute: { key, value } })), expected((e) => e.eventTime >= 2000 && e.eventTime <= 3000 && pick(e) === match, true));
    });
  }

  it("reads every pair through its index, in index order: no scan of the trail, no sort of it", () => {
    const statements: string[] = [];
    const db = new Database(join(dir, "trail.db"));
    // What the store prepares, kept to be explained.
    const recording = { prepare: (sql: string) => (statements.push(sql), db.prepare(sql)) };
    try {
      for (const [key, index] of Object.entries(PAIRED)) {
        statements.length = 0;
        const value = key === "ReadOnly" ? 1 : "x";
        // A TrailStore over this connection runs the same statements as the real one.
        const probe = Object.create(TrailStore.prototype) as TrailStore;
        Object.assign(probe, { db: recording });
        probe.lookup({ ...all, attribute: { key: key as LookupAttributeKey, value } });
        assert.ok(statements.length > 0, key);
        for (const sql of statements) {
          const params = Array.from(sql.matchAll(/\?/g), () => null);
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
          assert.doesNotMatch(plan, /SCAN events|TEMP B-TREE/, `${key}: ${sql} → ${plan}`);
          assert.match(plan, new RegExp(`INDEX events_${index.lead === "username" ? "user_key" : "source_read_only"}`), `${key}: ${plan}`);
        }
      }
    } finally {
      db.close();
    }
  });

  it("a trail.db of the previous schema opens with its events, now looked up through the paired indexes", () => {
    const file = join(dir, "previous.db");
    const v1 = openSqlite(file, TRAIL_MIGRATIONS.slice(0, 1), { incrementalVacuum: true });
    const insert = v1.prepare(
      `INSERT INTO events (event_id, event_time, event_name, event_source, read_only, username, access_key_id, resources, event)
       VALUES (?, ?, ?, ?, ?, ?, ?, '[]', ?)`,
    );
    for (const e of EVENTS) insert.run(e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0, e.username ?? null, e.accessKeyId ?? null, e.event);
    assert.equal(v1.pragma("user_version", { simple: true }), 1);
    v1.close();

    const migrated = TrailStore.open(file);
    try {
      assert.equal(migrated.lookup(all).length, EVENTS.length);
      for (const [key, value, pick, match] of cases) {
        assert.deepEqual(ids(migrated.lookup({ ...all, attribute: { key, value } })), expected(pick, match), `${key} = ${value}`);
      }
      migrated.append([entry(9, 6000, { username: "alice", accessKeyId: "AKIAALICE2" })]);
      assert.deepEqual(ids(migrated.lookup({ ...all, attribute: { key: "Username", value: "alice" } })), [9, 6, 3, 2]);
    } finally {
      migrated.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma("user_version", { simple: true }), TRAIL_MIGRATIONS.length);
      const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name`).pluck().all() as string[]);
      assert.deepEqual(indexes, ["events_name", "events_resource", "events_source_read_only", "events_time", "events_user_key"]);
    } finally {
      db.close();
    }
  });
});
