import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { entryNumbers as ids, trailEntry as entry } from "../../../test/support/trail-entries.js";
import { openSqlite } from "../../store/database.js";
import type { TrailEntry } from "./cloudtrail-event.js";
import type { TrailResource } from "./resources.js";
import { TRAIL_MIGRATIONS } from "./trail-db.js";
import { TrailStore, type LookupAttributeKey } from "./trail-store.js";

const SERVICE = "AWS::AppRunner::Service";
const CONNECTION = "AWS::AppRunner::Connection";
const CONFIG = "AWS::AppRunner::AutoScalingConfiguration";
const arn = (kind: string, name: string): string => `arn:aws:apprunner:us-east-1:123456789012:${kind}/${name}/0123456789abcdef`;
const A = arn("service", "a");
const B = arn("service", "b");
const C = arn("connection", "c");
const S = arn("autoscalingconfiguration", "s");
const r = (ResourceType: string, ResourceName: string): TrailResource => ({ ResourceType, ResourceName });

/** Recorded before schema 3 (all their resources in event_resources); times interleave with the new ones. */
const OLD: TrailEntry[] = [
  entry(1, 1000, { resources: [r(SERVICE, A)] }),
  entry(2, 2000, { resources: [r(SERVICE, B)] }),
  entry(3, 3000, { resources: [r(SERVICE, A), r(SERVICE, B)] }),
  entry(4, 3000),
  entry(5, 5000, { resources: [r(CONNECTION, C), r(SERVICE, A)] }),
];
/** Recorded with schema 3: the first resource in events, the others in event_resources. */
const NEW: TrailEntry[] = [
  entry(6, 1500, { resources: [r(SERVICE, A)] }),
  entry(7, 3000, { resources: [r(SERVICE, B)] }),
  entry(8, 3000),
  // Three resources, two of one type: found by each, once.
  entry(9, 4000, { resources: [r(SERVICE, A), r(CONFIG, S), r(SERVICE, B)] }),
  entry(10, 5000, { resources: [r(CONNECTION, C)] }),
  entry(11, 6000, { resources: [r(CONFIG, S), r(SERVICE, A)] }),
];
const ALL = [...OLD, ...NEW];

/** What one index over every resource would answer: each matching event once, newest first (then the later recorded). */
const expected = (key: LookupAttributeKey, value: string): number[] =>
  ALL.map((e, i) => ({ e, seq: i }))
    .filter(({ e }) => e.resources.some((x) => (key === "ResourceType" ? x.ResourceType : x.ResourceName) === value))
    .sort((a, b) => b.e.eventTime - a.e.eventTime || b.seq - a.seq)
    .map(({ e }) => (JSON.parse(e.event) as { n: number }).n);

const all = { start: 0, end: 100_000, limit: 50 };

describe("lookups by ResourceType and ResourceName across trail schemas", () => {
  let dir: string;
  let file: string;
  let store: TrailStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "trail-resources-"));
    file = join(dir, "trail.db");
    // A trail of schema 2, written as its TrailStore wrote: one event_resources row per resource.
    const v2 = openSqlite(file, TRAIL_MIGRATIONS.slice(0, 2), { incrementalVacuum: true });
    const insertEvent = v2.prepare(
      `INSERT INTO events (event_id, event_time, event_name, event_source, read_only, username, access_key_id, resources, event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertResource = v2.prepare(`INSERT INTO event_resources (seq, event_time, resource_type, resource_name) VALUES (?, ?, ?, ?)`);
    for (const e of OLD) {
      const info = insertEvent.run(e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0, e.username ?? null, e.accessKeyId ?? null, JSON.stringify(e.resources), e.event);
      for (const x of e.resources) insertResource.run(info.lastInsertRowid, e.eventTime, x.ResourceType, x.ResourceName);
    }
    assert.equal(v2.pragma("user_version", { simple: true }), 2);
    v2.close();
    store = TrailStore.open(file);
    store.append(NEW);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("upgrades the schema-2 trail in place: its events keep their resources in event_resources", () => {
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma("user_version", { simple: true }), TRAIL_MIGRATIONS.length);
      const count = (sql: string): number => (db.prepare(sql).pluck().get() as number);
      assert.equal(count("SELECT COUNT(*) FROM events"), ALL.length);
      // Old events: no first resource in events; new: the first in events, the rest in event_resources.
      assert.equal(count("SELECT COUNT(*) FROM events WHERE resource_type IS NOT NULL"), NEW.filter((e) => e.resources.length > 0).length);
      const oldRows = OLD.reduce((n, e) => n + e.resources.length, 0);
      const newRows = NEW.reduce((n, e) => n + Math.max(0, e.resources.length - 1), 0);
      assert.equal(count("SELECT COUNT(*) FROM event_resources"), oldRows + newRows);
      const nine = db.prepare(`SELECT resource_type, resource_name FROM events WHERE event_id = ?`).get(entry(9, 0).eventId);
      assert.deepEqual(nine, { resource_type: SERVICE, resource_name: A });
      const none = db.prepare(`SELECT resource_type, resource_name FROM events WHERE event_id = ?`).get(entry(8, 0).eventId);
      assert.deepEqual(none, { resource_type: null, resource_name: null });
    } finally {
      db.close();
    }
  });

  const cases: [LookupAttributeKey, string][] = [
    ["ResourceType", SERVICE],
    ["ResourceType", CONNECTION],
    ["ResourceType", CONFIG],
    ["ResourceType", "AWS::AppRunner::VpcConnector"],
    ["ResourceName", A],
    ["ResourceName", B],
    ["ResourceName", C],
    ["ResourceName", S],
    ["ResourceName", arn("service", "gone")],
  ];
  for (const [key, value] of cases) {
    it(`${key} = ${value.split(":").at(-1) ?? value}: old and new events, each once, newest first, page by page`, () => {
      const want = expected(key, value);
      assert.deepEqual(ids(store.lookup({ ...all, attribute: { key, value } })), want);
      for (const limit of [1, 2, 3]) {
        const paged: number[] = [];
        let cursor: { time: number; seq: number } | undefined;
        for (let page = 0; page < 20; page++) {
          const rows = store.lookup({ ...all, limit, attribute: { key, value }, ...(cursor ? { before: cursor } : {}) });
          paged.push(...ids(rows));
          const last = rows.at(-1);
          if (rows.length < limit || !last) break;
          cursor = { time: last.eventTime, seq: last.seq };
        }
        assert.deepEqual(paged, want, `pages of ${limit} without gaps or repeats`);
      }
      const inRange = ids(store.lookup({ start: 2000, end: 4000, limit: 50, attribute: { key, value } }));
      assert.deepEqual(inRange, want.filter((n) => { const t = ALL[n - 1]?.eventTime ?? -1; return t >= 2000 && t <= 4000; }));
    });
  }

  it("reads back every event's resources as recorded, in order: old and new, none, one or several", () => {
    const stored = store.lookup(all);
    assert.equal(stored.length, ALL.length);
    for (const e of ALL) assert.deepEqual(stored.find((x) => x.eventId === e.eventId)?.resources, e.resources, e.eventId);
    const db = new Database(file, { readonly: true });
    try {
      // A new event naming none or one keeps no JSON of them: its own row's resource columns say it.
      const column = db.prepare(`SELECT resources FROM events WHERE event_id = ?`).pluck();
      assert.deepEqual(NEW.map((e) => column.get(e.eventId)), NEW.map((e) => (e.resources.length > 1 ? JSON.stringify(e.resources) : "")));
      assert.deepEqual(OLD.map((e) => column.get(e.eventId)), OLD.map((e) => JSON.stringify(e.resources)));
    } finally {
      db.close();
    }
  });

  it("finds an event naming three resources by each of them, and an event naming none by none", () => {
    const find = (key: LookupAttributeKey, value: string): number[] => ids(store.lookup({ ...all, attribute: { key, value } }));
    for (const [key, value] of [["ResourceType", SERVICE], ["ResourceType", CONFIG], ["ResourceName", A], ["ResourceName", S], ["ResourceName", B]] as const) {
      assert.equal(find(key, value).filter((n) => n === 9).length, 1, `${key} = ${value}`);
    }
    const resourceLookups = cases.flatMap(([key, value]) => find(key, value));
    assert.ok(!resourceLookups.includes(8) && !resourceLookups.includes(4), "no resource lookup returns an event naming none");
    assert.ok(ids(store.lookup(all)).includes(8));
    const nine = store.lookup({ ...all, attribute: { key: "ResourceName", value: S } }).find((e) => e.eventId === entry(9, 0).eventId);
    assert.deepEqual(nine?.resources, [r(SERVICE, A), r(CONFIG, S), r(SERVICE, B)], "the event's resources as recorded, in order");
  });

  it("reads events_resource and event_resources through their indexes: no scan of the trail, no sort of it", () => {
    const db = new Database(file, { readonly: true });
    const statements: string[] = [];
    // What the store prepares, kept to be explained (as trail-lookup.test.ts does).
    const recording = { prepare: (sql: string) => (statements.push(sql), db.prepare(sql)) };
    try {
      for (const [key, value] of [["ResourceType", SERVICE], ["ResourceName", A]] as const) {
        statements.length = 0;
        const probe = Object.create(TrailStore.prototype) as TrailStore;
        Object.assign(probe, { db: recording });
        assert.deepEqual(ids(probe.lookup({ ...all, attribute: { key, value } })), expected(key, value));
        const plans = statements.map((sql) => {
          const params = Array.from(sql.matchAll(/\?/g), () => null);
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join(" | ");
          assert.doesNotMatch(plan, /SCAN (events|event_resources)\b|TEMP B-TREE/, `${key}: ${sql} → ${plan}`);
          if (/\bFROM events WHERE resource_type\b/.test(sql)) assert.match(plan, /INDEX events_resource\b/, `${key}: the partial index: ${sql} → ${plan}`);
          return plan;
        });
        assert.ok(plans.some((p) => /INDEX events_resource\b/.test(p)), `${key} reads the partial index: ${plans.join(" ; ")}`);
        assert.ok(plans.some((p) => /INDEX event_resources_(type|name)\b/.test(p)), `${key} reads event_resources: ${plans.join(" ; ")}`);
      }
    } finally {
      db.close();
    }
  });

  it("retention deletes an event's event_resources rows with it, and its entry of the partial index", () => {
    const s = TrailStore.open(join(dir, "retention.db"));
    try {
      s.append([entry(20, 1000, { resources: [r(SERVICE, A), r(CONFIG, S), r(SERVICE, B)] }), entry(21, 2000, { resources: [r(SERVICE, A), r(CONNECTION, C)] })]);
      assert.equal(s.deleteExpired(1500, 10), 1);
      assert.deepEqual(ids(s.lookup({ ...all, attribute: { key: "ResourceType", value: SERVICE } })), [21]);
      assert.deepEqual(ids(s.lookup({ ...all, attribute: { key: "ResourceName", value: S } })), []);
    } finally {
      s.close();
    }
    const db = new Database(join(dir, "retention.db"), { readonly: true });
    try {
      const rows = db.prepare("SELECT seq, resource_type, resource_name FROM event_resources").all() as { seq: number }[];
      assert.deepEqual(rows.map(({ seq: _seq, ...rest }) => rest), [{ resource_type: CONNECTION, resource_name: C }], "only the surviving event's second resource");
      const indexed = db.prepare("SELECT resource_name FROM events INDEXED BY events_resource WHERE resource_type IS NOT NULL").pluck().all();
      assert.deepEqual(indexed, [A]);
    } finally {
      db.close();
    }
  });
});
