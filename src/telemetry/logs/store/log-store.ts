import type { LogSink } from "../../log-sink.js";
import type { Clock } from "../../../util/clock.js";
import { AppendWaiters } from "./append-waiters.js";
import { CatalogQueries } from "./catalog-queries.js";
import { EventQueries } from "./event-queries.js";
import { openLogDatabase, type LogDb } from "./open.js";
import type { GroupRow, StreamRow } from "./rows.js";
import { WriteBuffer } from "./write-buffer.js";
import { LogWriter, type InputEvent, type PendingBatch } from "./writer.js";

export interface LogStoreOptions {
  /** Buffered lines that trigger a flush before the timer does. */
  maxBatchLines?: number;
  flushDelayMs?: number;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The durable log store (`<data-dir>/logs.db`). Appends are buffered and written in batches;
 * every read flushes first, so a caller always sees what was appended before it asked.
 * Readers that wait for new lines (FilterLogEvents' follow long poll) are woken through
 * `appends` after each write commits.
 */
export class LogStore implements LogSink {
  /** Waiters for lines of a group; woken after every committed write to it, ended by close(). */
  readonly appends = new AppendWaiters();
  private readonly catalogQueries: CatalogQueries;
  private readonly eventQueries: EventQueries;
  private readonly writer: LogWriter;
  private readonly buffer: WriteBuffer<PendingBatch>;
  private closed = false;

  private constructor(
    readonly db: LogDb,
    private readonly clock: Clock,
    private readonly logger: NonNullable<LogStoreOptions["logger"]>,
    opts: LogStoreOptions,
  ) {
    this.catalogQueries = new CatalogQueries(db);
    this.eventQueries = new EventQueries(db);
    this.writer = new LogWriter(db);
    this.buffer = new WriteBuffer((batches) => this.write(batches), {
      maxItems: opts.maxBatchLines ?? 10_000,
      delayMs: opts.flushDelayMs ?? 50,
      size: (b) => b.events.length,
    });
  }

  static open(file: string, clock: Clock, opts: LogStoreOptions = {}): LogStore {
    return new LogStore(openLogDatabase(file), clock, opts.logger ?? (() => undefined), opts);
  }

  append(group: string, stream: string, events: readonly InputEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.buffer.add({ group, stream, ingestionTime: this.clock.now(), events: events.map((e) => ({ timestamp: e.timestamp, message: e.message })) });
  }

  /** Writes what is buffered now. Reads call it; so do the timer and close(). */
  flush(): void {
    if (!this.closed) this.buffer.flush();
  }

  /** Groups and streams, after a flush. */
  get catalog(): CatalogQueries {
    this.flush();
    return this.catalogQueries;
  }

  /** Events, after a flush. */
  get events(): EventQueries {
    this.flush();
    return this.eventQueries;
  }

  /** False when the group already exists. */
  createGroup(name: string): boolean {
    if (this.catalog.group(name)) return false;
    this.writer.groupId(name, this.clock.now());
    return true;
  }

  /** False when the stream already exists. */
  createStream(group: GroupRow, name: string): boolean {
    if (this.catalog.stream(group.id, name)) return false;
    this.writer.streamId(group.id, name, this.clock.now());
    return true;
  }

  /** PutLogEvents: written before the call returns, so an acknowledged line survives a crash. */
  putEvents(group: string, stream: string, events: readonly InputEvent[]): void {
    this.flush();
    // Not through write(): a failure here is the caller's answer, not a line in the server log.
    this.writer.write([{ group, stream, ingestionTime: this.clock.now(), events }]);
    this.appends.notify([group]);
  }

  setRetention(group: GroupRow, days: number | null): void {
    this.db.prepare(`UPDATE log_groups SET retention_days = ? WHERE id = ?`).run(days, group.id);
  }

  /** The group and its streams go now; the sweeper removes their events in bounded batches. */
  deleteGroup(group: GroupRow): void {
    this.flush();
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM log_streams WHERE group_id = ?`).run(group.id);
      this.db.prepare(`DELETE FROM log_groups WHERE id = ?`).run(group.id);
      this.db.prepare(`INSERT INTO log_purges (group_id, stream_id) VALUES (?, NULL)`).run(group.id);
    })();
    this.writer.forgetIds();
  }

  deleteStream(stream: StreamRow): void {
    this.flush();
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM log_streams WHERE id = ?`).run(stream.id);
      this.db.prepare(`UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?`).run(stream.storedBytes, stream.groupId);
      this.db.prepare(`INSERT INTO log_purges (group_id, stream_id) VALUES (?, ?)`).run(stream.groupId, stream.id);
    })();
    this.writer.forgetIds();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    // Waiters first: the last flush below must not wake a reader into a closing database.
    this.appends.close();
    this.buffer.flush();
    this.closed = true;
    this.db.close();
  }

  private write(batches: PendingBatch[]): void {
    try {
      this.writer.write(batches);
    } catch (err) {
      // Dropped rather than retried: a failing disk must not grow the buffer without bound.
      this.writer.forgetIds();
      this.logger("log lines could not be stored and were dropped", {
        lines: batches.reduce((n, b) => n + b.events.length, 0),
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    this.appends.notify(new Set(batches.map((b) => b.group)));
  }
}
