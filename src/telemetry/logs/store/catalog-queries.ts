import type { LogDb } from "./open.js";
import { GROUP_COLUMNS, STREAM_COLUMNS, type GroupRow, type StreamRow } from "./rows.js";
import { StatementCache } from "./statement-cache.js";

export interface GroupQuery {
  prefix?: string;
  /** Case-insensitive substring (DescribeLogGroups' logGroupNamePattern). */
  contains?: string;
  afterName?: string;
  limit: number;
}

export type StreamOrder = "LogStreamName" | "LastEventTime";

/** Where a stream listing resumes: after this name, or after this (last event time, name). */
export interface StreamQuery {
  groupId: number;
  prefix?: string;
  orderBy: StreamOrder;
  descending: boolean;
  after?: { lastEventTime: number; name: string };
  limit: number;
}

/** Reads of the group and stream tables (small next to the events). */
export class CatalogQueries {
  private readonly statements: StatementCache;

  constructor(private readonly db: LogDb) {
    this.statements = new StatementCache(db);
  }

  group(name: string): GroupRow | undefined {
    return this.statements.get(`SELECT ${GROUP_COLUMNS} FROM log_groups WHERE name = ?`).get(name) as GroupRow | undefined;
  }

  groups(q: GroupQuery): GroupRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.prefix !== undefined) {
      where.push(`substr(name, 1, ?) = ?`);
      args.push(q.prefix.length, q.prefix);
    }
    if (q.contains !== undefined) {
      where.push(`instr(lower(name), ?) > 0`);
      args.push(q.contains.toLowerCase());
    }
    if (q.afterName !== undefined) {
      where.push(`name > ?`);
      args.push(q.afterName);
    }
    const sql = `SELECT ${GROUP_COLUMNS} FROM log_groups ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY name LIMIT ?`;
    return this.statements.get(sql).all(...args, q.limit) as GroupRow[];
  }

  stream(groupId: number, name: string): StreamRow | undefined {
    return this.statements.get(`SELECT ${STREAM_COLUMNS} FROM log_streams WHERE group_id = ? AND name = ?`).get(groupId, name) as
      | StreamRow
      | undefined;
  }

  streams(q: StreamQuery): StreamRow[] {
    const where = [`group_id = ?`];
    const args: (string | number)[] = [q.groupId];
    if (q.prefix !== undefined) {
      where.push(`substr(name, 1, ?) = ?`);
      args.push(q.prefix.length, q.prefix);
    }
    const dir = q.descending ? "DESC" : "ASC";
    const cmp = q.descending ? "<" : ">";
    // Streams without events sort as if their last event were at time 0.
    const key = q.orderBy === "LastEventTime" ? [`coalesce(last_event_time, 0)`, `name`] : [`name`];
    if (q.after) {
      if (q.orderBy === "LastEventTime") {
        where.push(`(coalesce(last_event_time, 0), name) ${cmp} (?, ?)`);
        args.push(q.after.lastEventTime, q.after.name);
      } else {
        where.push(`name ${cmp} ?`);
        args.push(q.after.name);
      }
    }
    const order = key.map((k) => `${k} ${dir}`).join(", ");
    const sql = `SELECT ${STREAM_COLUMNS} FROM log_streams WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ?`;
    return this.statements.get(sql).all(...args, q.limit) as StreamRow[];
  }

  /** Streams of a group with events in [start, endExclusive): what a search looks at. */
  streamsWithEventsIn(groupId: number, start: number, endExclusive: number, scope: StreamScope): StreamRow[] {
    const { sql: scopeSql, args } = streamScopeSql(scope, "id", groupId);
    const sql = `SELECT ${STREAM_COLUMNS} FROM log_streams
      WHERE group_id = ? AND first_event_time < ? AND last_event_time >= ? ${scopeSql} ORDER BY name`;
    return this.statements.get(sql).all(groupId, endExclusive, start, ...args) as StreamRow[];
  }

  streamNames(groupId: number): Map<number, string> {
    const rows = this.statements.get(`SELECT id, name FROM log_streams WHERE group_id = ?`).all(groupId) as { id: number; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}

/** Which streams of a group a search covers: all, a list of names, or a name prefix. */
export type StreamScope = { kind: "all" } | { kind: "names"; names: readonly string[] } | { kind: "prefix"; prefix: string };

/** `AND <column> IN (...)` for a scope, for queries already restricted to one group. */
export function streamScopeSql(scope: StreamScope, column: string, groupId: number): { sql: string; args: (string | number)[] } {
  switch (scope.kind) {
    case "all":
      return { sql: "", args: [] };
    case "names":
      return {
        sql: `AND ${column} IN (SELECT s.id FROM log_streams s WHERE s.group_id = ? AND s.name IN (SELECT value FROM json_each(?)))`,
        args: [groupId, JSON.stringify(scope.names)],
      };
    case "prefix":
      return {
        sql: `AND ${column} IN (SELECT s.id FROM log_streams s WHERE s.group_id = ? AND substr(s.name, 1, ?) = ?)`,
        args: [groupId, scope.prefix.length, scope.prefix],
      };
  }
}
