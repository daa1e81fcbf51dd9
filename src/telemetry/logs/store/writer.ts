import type { Statement } from "better-sqlite3";
import type { LogDb } from "./open.js";

export interface InputEvent {
  timestamp: number;
  message: string;
}

/** Lines handed to the store together: one stream, one ingestion time. */
export interface PendingBatch {
  group: string;
  stream: string;
  ingestionTime: number;
  events: readonly InputEvent[];
}

interface StreamDelta {
  groupId: number;
  first: number;
  last: number;
  ingestion: number;
  bytes: number;
}

/**
 * Writes batches in one transaction: groups and streams are created on first write, then
 * events go in and each touched stream and group has its statistics updated once.
 */
export class LogWriter {
  private readonly groupIds = new Map<string, number>();
  private readonly streamIds = new Map<string, number>();
  private readonly insertEvent: Statement;
  private readonly ensureGroup: Statement;
  private readonly findGroup: Statement;
  private readonly ensureStream: Statement;
  private readonly findStream: Statement;
  private readonly updateStream: Statement;
  private readonly updateGroup: Statement;

  constructor(private readonly db: LogDb) {
    this.insertEvent = db.prepare(
      `INSERT INTO log_events (group_id, stream_id, timestamp, ingestion_time, bytes, message) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.ensureGroup = db.prepare(`INSERT OR IGNORE INTO log_groups (name, created_at) VALUES (?, ?)`);
    this.findGroup = db.prepare(`SELECT id FROM log_groups WHERE name = ?`).pluck();
    this.ensureStream = db.prepare(`INSERT OR IGNORE INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?)`);
    this.findStream = db.prepare(`SELECT id FROM log_streams WHERE group_id = ? AND name = ?`).pluck();
    this.updateStream = db.prepare(
      `UPDATE log_streams SET
         first_event_time = min(coalesce(first_event_time, @first), @first),
         last_event_time = max(coalesce(last_event_time, @last), @last),
         last_ingestion_time = max(coalesce(last_ingestion_time, @ingestion), @ingestion),
         stored_bytes = stored_bytes + @bytes
       WHERE id = @id`,
    );
    this.updateGroup = db.prepare(`UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?`);
  }

  write(batches: readonly PendingBatch[]): void {
    if (batches.length === 0) return;
    this.db.transaction(() => {
      const deltas = new Map<number, StreamDelta>();
      for (const b of batches) {
        const groupId = this.groupId(b.group, b.ingestionTime);
        const streamId = this.streamId(groupId, b.stream, b.ingestionTime);
        let d = deltas.get(streamId);
        for (const e of b.events) {
          const bytes = Buffer.byteLength(e.message, "utf8");
          this.insertEvent.run(groupId, streamId, e.timestamp, b.ingestionTime, bytes, e.message);
          if (!d) {
            d = { groupId, first: e.timestamp, last: e.timestamp, ingestion: b.ingestionTime, bytes: 0 };
            deltas.set(streamId, d);
          }
          d.first = Math.min(d.first, e.timestamp);
          d.last = Math.max(d.last, e.timestamp);
          d.ingestion = Math.max(d.ingestion, b.ingestionTime);
          d.bytes += bytes;
        }
      }
      const groupBytes = new Map<number, number>();
      for (const [streamId, d] of deltas) {
        this.updateStream.run({ first: d.first, last: d.last, ingestion: d.ingestion, bytes: d.bytes, id: streamId });
        groupBytes.set(d.groupId, (groupBytes.get(d.groupId) ?? 0) + d.bytes);
      }
      for (const [groupId, bytes] of groupBytes) this.updateGroup.run(bytes, groupId);
    })();
  }

  /** The group's id, creating it (retention unset) if it does not exist yet. */
  groupId(name: string, now: number): number {
    const cached = this.groupIds.get(name);
    if (cached !== undefined) return cached;
    this.ensureGroup.run(name, now);
    const id = this.findGroup.get(name) as number;
    this.groupIds.set(name, id);
    return id;
  }

  streamId(groupId: number, name: string, now: number): number {
    const key = `${groupId}\u0000${name}`;
    const cached = this.streamIds.get(key);
    if (cached !== undefined) return cached;
    this.ensureStream.run(groupId, name, now);
    const id = this.findStream.get(groupId, name) as number;
    this.streamIds.set(key, id);
    return id;
  }

  /** After a delete: the next write looks ids up again (and recreates what is gone). */
  forgetIds(): void {
    this.groupIds.clear();
    this.streamIds.clear();
  }
}
