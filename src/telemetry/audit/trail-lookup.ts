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
