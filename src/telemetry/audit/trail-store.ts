import type { Db } from "../../store/database.js";
import type { TrailEntry } from "./cloudtrail-event.js";
import type { TrailResource } from "./resources.js";
import { openTrailDb } from "./trail-db.js";
import { isPaired, lookupPaired, lookupResources, PAIRED } from "./trail-lookup.js";

export type LookupAttributeKey =
  | "EventId"
  | "EventName"
  | "ReadOnly"
  | "Username"
  | "ResourceType"
  | "ResourceName"
  | "EventSource"
  | "AccessKeyId";

/** Columns of `events` with an index of their own; the other attributes share paired indexes (trail-lookup.ts). */
const COLUMNS: Record<Exclude<LookupAttributeKey, "ResourceType" | "ResourceName" | keyof typeof PAIRED>, string> = {
  EventId: "event_id",
  EventName: "event_name",
};

/** Newest first, after an optional cursor; times are inclusive milliseconds. */
export interface TrailQuery {
  attribute?: { key: LookupAttributeKey; value: string | number };
  start: number;
  end: number;
  /** The last event of the previous page: results continue strictly older than it. */
  before?: { time: number; seq: number };
  limit: number;
}

/**
 * An entry as the columns it is stored in, then its resources' type and name pairs (what the
 * writer thread unpacks from a batch's bytes, packed-trail.ts).
 */
export type TrailRow = [
  eventId: string,
  eventTime: number,
  eventName: string,
  eventSource: string,
  readOnly: 0 | 1,
  username: string | null,
  accessKeyId: string | null,
  resources: string,
  event: string,
  ...resourceTypeAndName: string[],
];

/**
 * The `resources` column of an entry: its resources as JSON when it names two or more, else
 * empty: none or one, which the row's own resource_type and resource_name hold (schema 3). Most
 * calls name one, and its JSON was a tenth of a row's bytes, which are most of what the
 * writer thread writes.
 */
export const resourcesColumn = (resources: readonly TrailResource[]): string => (resources.length > 1 ? JSON.stringify(resources) : "");

/** The row of an entry. */
export function trailRow(e: TrailEntry): TrailRow {
  const row: TrailRow = [
    e.eventId,
    e.eventTime,
    e.eventName,
    e.eventSource,
    e.readOnly ? 1 : 0,
    e.username ?? null,
    e.accessKeyId ?? null,
    resourcesColumn(e.resources),
    e.event,
  ];
  // Pushed, not spread from a flatMap: a fifth of building a row went to the spread.
  for (const r of e.resources) row.push(r.ResourceType, r.ResourceName);
  return row;
}

/** A recorded entry as read back, with its position for paging. */
export type StoredEvent = TrailEntry & { seq: number };

interface EventRow {
  seq: number;
  event_id: string;
  event_time: number;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  resources: string;
  event: string;
  resource_type: string | null;
  resource_name: string | null;
}

/** An event's resources: the JSON of two or more, else the one in its own row, if any (resourcesColumn). */
function storedResources(r: EventRow): TrailResource[] {
  if (r.resources !== "") return JSON.parse(r.resources) as TrailResource[];
  return r.resource_type !== null && r.resource_name !== null ? [{ ResourceType: r.resource_type, ResourceName: r.resource_name }] : [];
}

const toStored = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  eventId: r.event_id,
  eventTime: r.event_time,
  eventName: r.event_name,
  eventSource: r.event_source,
  readOnly: r.read_only === 1,
  username: r.username ?? undefined,
  accessKeyId: r.access_key_id ?? undefined,
  resources: storedResources(r),
  event: r.event,
});

/** `<data-dir>/trail.db`: the recorded events and the indexes LookupEvents needs. */
export class TrailStore {
  private readonly insertEvent;
  private readonly insertResource;
  private readonly deleteBatch;

  private constructor(private readonly db: Db) {
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events
         (event_id, event_time, event_name, event_source, read_only, username, access_key_id, resources, event, resource_type, resource_name)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertResource = db.prepare(
      `INSERT INTO event_resources (seq, event_time, resource_type, resource_name) VALUES (?, ?, ?, ?)`,
    );
    this.deleteBatch = db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE event_time < ? ORDER BY event_time LIMIT ?)`,
    );
  }

  static open(file: string): TrailStore {
    return new TrailStore(openTrailDb(file));
  }

  /** One transaction per batch; an event id already stored (a retried batch) is skipped. */
  append(entries: readonly TrailEntry[]): void {
    this.appendRows(entries.map(trailRow));
  }

  /** append() of rows made by trailRow (what the writer thread is sent). */
  appendRows(rows: readonly TrailRow[]): void {
    this.db.transaction(() => {
      for (const row of rows) {
        // Indexed, not destructured with a rest element: that made an array per row.
        const eventTime = row[1];
        // The first resource goes in the event's own row (schema 3); the others, rare, in event_resources.
        const info = this.insertEvent.run(row[0], eventTime, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9] ?? null, row[10] ?? null);
        if (info.changes === 0) continue;
        for (let i = 11; i + 1 < row.length; i += 2) this.insertResource.run(info.lastInsertRowid, eventTime, row[i], row[i + 1]);
      }
    })();
  }

  /** At most `limit` events matching the query, newest first (time, then arrival order). */
  lookup(q: TrailQuery): StoredEvent[] {
    const before = q.before ?? { time: q.end + 1, seq: 0 };
    const key = q.attribute?.key;
    if (key === "ResourceType" || key === "ResourceName") {
      return lookupResources<EventRow>(this.db, key, q.attribute?.value ?? "", { ...q, before }).map(toStored);
    }
    if (isPaired(key)) {
      return lookupPaired<EventRow>(this.db, PAIRED[key], q.attribute?.value ?? "", { ...q, before }).map(toStored);
    }
    const filter = key ? `${COLUMNS[key]} = ? AND ` : "";
    const params = [...(q.attribute ? [q.attribute.value] : []), q.start, q.end, before.time, before.seq, q.limit];
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE ${filter}event_time >= ? AND event_time <= ? AND (event_time, seq) < (?, ?)
         ORDER BY event_time DESC, seq DESC LIMIT ?`,
      )
      .all(...params) as EventRow[];
    return rows.map(toStored);
  }

  /** Deletes up to `batch` events older than `cutoff` (and their resource rows); returns how many. */
  deleteExpired(cutoff: number, batch: number): number {
    return this.deleteBatch.run(cutoff, batch).changes;
  }

  /** Returns up to `pages` free pages to the file system (auto_vacuum=INCREMENTAL). */
  reclaim(pages: number): void {
    this.db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  }

  close(): void {
    this.db.close();
  }
}
