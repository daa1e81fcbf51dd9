import { streamScopeSql, type StreamScope } from "./catalog-queries.js";
import type { LogDb } from "./open.js";
import { EVENT_COLUMNS, type EventCursor, type EventRow } from "./rows.js";
import { StatementCache } from "./statement-cache.js";

export interface StreamRead {
  streamId: number;
  start: number;
  endExclusive: number;
  /** Ascending from the oldest (after `from`, if given), or descending from the newest (before `from`). */
  direction: "forward" | "backward";
  from?: EventCursor;
  limit: number;
}

export interface GroupScan {
  groupId: number;
  scope: StreamScope;
  start: number;
  endExclusive: number;
  after?: EventCursor;
  /** AND of ORs of substrings a candidate message must contain (pre-selection in SQLite). */
  requiredText: readonly (readonly string[])[];
}

/** Reads of the events table, always in (timestamp, id) order, always through an index range. */
export class EventQueries {
  private readonly statements: StatementCache;

  constructor(db: LogDb) {
    this.statements = new StatementCache(db);
  }

  /** One page of one stream (GetLogEvents), returned oldest first whatever the direction. */
  streamPage(q: StreamRead): EventRow[] {
    const forward = q.direction === "forward";
    const args: number[] = [q.streamId];
    let range: string;
    if (forward) {
      // `timestamp >= max(start, cursor)` keeps the index range tight; the OR orders ties by id.
      range = `timestamp >= ? AND timestamp < ?`;
      args.push(Math.max(q.start, q.from?.t ?? q.start), q.endExclusive);
      if (q.from) {
        range += ` AND (timestamp > ? OR id > ?)`;
        args.push(q.from.t, q.from.i);
      }
    } else {
      range = `timestamp >= ? AND timestamp < ?`;
      args.push(q.start, q.from ? Math.min(q.endExclusive, q.from.t + 1) : q.endExclusive);
      if (q.from) {
        range += ` AND (timestamp < ? OR id < ?)`;
        args.push(q.from.t, q.from.i);
      }
    }
    const order = forward ? "timestamp ASC, id ASC" : "timestamp DESC, id DESC";
    const sql = `SELECT ${EVENT_COLUMNS} FROM log_events INDEXED BY log_events_stream_time WHERE stream_id = ? AND ${range} ORDER BY ${order} LIMIT ?`;
    const rows = this.statements.get(sql).all(...args, q.limit) as EventRow[];
    return forward ? rows : rows.reverse();
  }

  /**
   * The next `window` events of a group after `after` (in scope and time range), of which only
   * the candidates (rows containing the required text) are returned, lazily, in (timestamp, id)
   * order. The window bounds the work of one call whatever the pattern: SQLite looks at no
   * more than `window` events. `end` is the window's last event when more may follow it.
   */
  scanWindow(q: GroupScan & { window: number }): { rows: IterableIterator<EventRow>; end: EventCursor | undefined } {
    const args: (string | number)[] = [q.groupId, Math.max(q.start, q.after?.t ?? q.start), q.endExclusive];
    let where = `group_id = ? AND timestamp >= ? AND timestamp < ?`;
    if (q.after) {
      where += ` AND (timestamp > ? OR id > ?)`;
      args.push(q.after.t, q.after.i);
    }
    const scope = streamScopeSql(q.scope, "stream_id", q.groupId);
    where += ` ${scope.sql}`;
    args.push(...scope.args);
    const endRow = this.statements
      .get(`SELECT timestamp AS t, id AS i FROM log_events INDEXED BY log_events_group_time WHERE ${where} ORDER BY timestamp, id LIMIT 1 OFFSET ?`)
      .get(...args, q.window - 1) as EventCursor | undefined;
    if (endRow) {
      where += ` AND timestamp <= ? AND (timestamp < ? OR id <= ?)`;
      args.push(endRow.t, endRow.t, endRow.i);
    }
    for (const group of q.requiredText) {
      where += ` AND (${group.map(() => "instr(message, ?) > 0").join(" OR ")})`;
      args.push(...group);
    }
    const sql = `SELECT ${EVENT_COLUMNS} FROM log_events INDEXED BY log_events_group_time WHERE ${where} ORDER BY timestamp, id`;
    return { rows: this.statements.get(sql).iterate(...args) as IterableIterator<EventRow>, end: endRow };
  }
}
