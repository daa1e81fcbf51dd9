import type { Db } from "./database.js";

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

/**
 * The service and application log streams. Kept in SQLite for now; the observability work
 * gives them their own store and the CloudWatch Logs API.
 */
export class LogEventRepository {
  constructor(private readonly db: Db) {}

  append(group: string, stream: string, events: readonly { timestamp: number; message: string }[], now: number): void {
    const stmt = this.db.prepare(
      `INSERT INTO log_events (log_group, log_stream, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?, ?)`,
    );
    for (const e of events) stmt.run(group, stream, e.timestamp, now, e.message);
  }

  read(group: string, stream: string, limit = 10_000): LogEvent[] {
    return this.db
      .prepare(
        `SELECT timestamp, message, ingestion_time AS ingestionTime FROM log_events
         WHERE log_group = ? AND log_stream = ? ORDER BY timestamp, id LIMIT ?`,
      )
      .all(group, stream, limit) as LogEvent[];
  }

  streams(group: string): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT log_stream AS s FROM log_events WHERE log_group = ? ORDER BY s`).all(group) as {
        s: string;
      }[]
    ).map((r) => r.s);
  }
}
