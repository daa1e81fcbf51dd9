import type { Db } from "../../store/database.js";

/**
 * Two attributes share one index `(lead, second, event_time, seq)`: every event costs the
 * trail writer one index entry for the pair instead of one for each (an entry is ~6,000
 * instructions of its time; docs/performance.md). A lookup by either attribute reads the
 * index one `(lead, second)` pair at a time, each newest first and at most a page long, and
 * merges them: the pairs are few (two ReadOnly values, a handful of event sources, a user's
 * access keys), so a page still reads O(pairs × page) index entries, never the whole trail.
 */
export interface PairedIndex {
  lead: string;
  second: string;
  /** The values `second` can take, when they are fixed (read_only: 0 or 1); else they are read from the index. */
  secondValues?: readonly (string | number)[];
  /** Whether the columns may be NULL (an unauthenticated call has no username); asking of a NOT NULL column would scan. */
  nullable: boolean;
}

/** Event source and ReadOnly (`events_source_read_only`); username and access key (`events_user_key`). */
export const PAIRED: Record<"EventSource" | "ReadOnly" | "Username" | "AccessKeyId", PairedIndex & { on: "lead" | "second" }> = {
  EventSource: { lead: "event_source", second: "read_only", secondValues: [0, 1], nullable: false, on: "lead" },
  ReadOnly: { lead: "event_source", second: "read_only", nullable: false, on: "second" },
  Username: { lead: "username", second: "access_key_id", nullable: true, on: "lead" },
  AccessKeyId: { lead: "username", second: "access_key_id", nullable: true, on: "second" },
};

export const isPaired = (key: string | undefined): key is keyof typeof PAIRED => key !== undefined && Object.hasOwn(PAIRED, key);

export interface TimeWindow {
  start: number;
  end: number;
  before: { time: number; seq: number };
  limit: number;
}

type Row = { event_time: number; seq: number };

/**
 * The distinct values of `column` (NULL included) among events whose `prefix` column has the
 * given value, or among all events: one index seek per value, as a skip scan, where DISTINCT
 * would read every entry.
 */
function distinctValues(db: Db, column: string, nullable: boolean, prefix?: { column: string; value: string | number }): (string | number | null)[] {
  const where = prefix ? `${prefix.column} = ? AND ` : "";
  const args = prefix ? [prefix.value] : [];
  const values = db
    .prepare(
      `WITH RECURSIVE v(x) AS (
         SELECT (SELECT MIN(${column}) FROM events WHERE ${where}${column} IS NOT NULL)
         UNION ALL
         SELECT (SELECT MIN(${column}) FROM events WHERE ${where}${column} > v.x) FROM v WHERE v.x IS NOT NULL
       ) SELECT x FROM v WHERE x IS NOT NULL`,
    )
    .pluck()
    .all(...args, ...args) as (string | number)[];
  const hasNull = nullable && db.prepare(`SELECT EXISTS (SELECT 1 FROM events WHERE ${where}${column} IS NULL)`).pluck().get(...args) === 1;
  return hasNull ? [null, ...values] : values;
}

/** Events whose paired attribute has `value`, newest first, as one index would answer. */
export function lookupPaired<T extends Row>(db: Db, index: PairedIndex & { on: "lead" | "second" }, value: string | number, w: TimeWindow): T[] {
  const partitions =
    index.on === "lead"
      ? (index.secondValues ?? distinctValues(db, index.second, index.nullable, { column: index.lead, value })).map((s) => [value, s])
      : distinctValues(db, index.lead, index.nullable).map((l) => [l, value]);
  const stmt = db.prepare(
    `SELECT * FROM events WHERE ${index.lead} IS ? AND ${index.second} IS ?
       AND event_time >= ? AND event_time <= ? AND (event_time, seq) < (?, ?)
     ORDER BY event_time DESC, seq DESC LIMIT ?`,
  );
  const rows: T[] = [];
  for (const [l, s] of partitions) rows.push(...(stmt.all(l, s, w.start, w.end, w.before.time, w.before.seq, w.limit) as T[]));
  return rows.sort((a, b) => b.event_time - a.event_time || b.seq - a.seq).slice(0, w.limit);
}

/**
 * Events naming a resource of a type (ResourceType) or a resource (ResourceName), newest first.
 * An event's first resource is in `events` (schema 3, the partial index `events_resource` on
 * `(resource_type, resource_name, event_time, seq)`); its others, and every resource of the
 * events recorded before schema 3, are rows of `event_resources`. Both are read and merged,
 * each event once.
 *
 * `events_resource` is read one `(type, name)` pair at a time, as lookupPaired reads its
 * indexes: by ResourceName, one pair per resource type (a handful); by ResourceType, one pair
 * per name of that type (the index's prefix, read pair by pair: the prefix as a whole is not in
 * time order and would be sorted whole, which for the service type is most of the trail). Every
 * read is of the index alone (event_time, seq are in it); only the page's events are then read.
 * Every statement says `resource_type = ?`, which implies the index's `resource_type IS NOT
 * NULL` (SQLite uses a partial index only then; `IS ?` would not).
 */
export function lookupResources<T extends Row>(db: Db, key: "ResourceType" | "ResourceName", value: string | number, w: TimeWindow): T[] {
  const pairs =
    key === "ResourceType"
      ? distinctValues(db, "resource_name", false, { column: "resource_type", value }).map((name) => [value, name])
      : distinctValues(db, "resource_type", false).map((type) => [type, value]);
  const window = `event_time >= ? AND event_time <= ? AND (event_time, seq) < (?, ?) ORDER BY event_time DESC, seq DESC LIMIT ?`;
  const args = [w.start, w.end, w.before.time, w.before.seq, w.limit];
  const first = db.prepare(`SELECT event_time, seq FROM events WHERE resource_type = ? AND resource_name = ? AND ${window}`);
  const keys: Row[] = [];
  for (const [type, name] of pairs) keys.push(...(first.all(type, name, ...args) as Row[]));
  // An event naming two resources of one type has two rows here: DISTINCT keeps one (they are adjacent in the index).
  const column = key === "ResourceType" ? "resource_type" : "resource_name";
  keys.push(...(db.prepare(`SELECT DISTINCT event_time, seq FROM event_resources WHERE ${column} = ? AND ${window}`).all(value, ...args) as Row[]));
  // And an event whose first and second resources both match is in both: the merge keeps it once.
  keys.sort((a, b) => b.event_time - a.event_time || b.seq - a.seq);
  const page = keys.filter((k, i) => i === 0 || k.seq !== keys[i - 1]?.seq).slice(0, w.limit);
  const read = db.prepare(`SELECT * FROM events WHERE seq = ?`);
  // An event the retention sweep deleted since its key was read is left out, not returned as undefined.
  return page.flatMap((k) => {
    const row = read.get(k.seq) as T | undefined;
    return row ? [row] : [];
  });
}
