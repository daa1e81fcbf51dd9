import { planSweep, type PendingPurge, type RetentionGroup, type SweepStep } from "../retention.js";
import type { LogDb } from "./open.js";

export interface SweepOptions {
  /** Events deleted per transaction; writers and readers get the database between batches. */
  batchSize?: number;
  /** Awaited between batches (the module yields to the event loop). */
  pause?: () => Promise<void>;
  /** Checked between batches: a stopping module ends the sweep early. */
  cancelled?: () => boolean;
}

export interface SweepResult {
  deletedEvents: number;
  batches: number;
  purgesCompleted: number;
}

/**
 * Runs the plan of `planSweep` against logs.db: each batch deletes at most `batchSize` events
 * in one transaction, fixes the stored bytes of their streams and groups, and gives the freed
 * pages back to the file system (`incremental_vacuum`; the database is auto_vacuum=INCREMENTAL).
 */
export async function sweep(db: LogDb, now: number, opts: SweepOptions = {}): Promise<SweepResult> {
  const batchSize = opts.batchSize ?? 5000;
  const pause = opts.pause ?? (() => new Promise<void>((r) => setImmediate(r)));
  const groups = db.prepare(`SELECT id, retention_days AS retentionDays FROM log_groups WHERE retention_days IS NOT NULL`).all() as RetentionGroup[];
  const purges = db.prepare(`SELECT id, group_id AS groupId, stream_id AS streamId FROM log_purges ORDER BY id`).all() as PendingPurge[];
  const result: SweepResult = { deletedEvents: 0, batches: 0, purgesCompleted: 0 };
  for (const step of planSweep(groups, purges, now)) {
    for (;;) {
      if (opts.cancelled?.()) return result;
      const deleted = deleteBatch(db, step, batchSize);
      result.batches++;
      result.deletedEvents += deleted;
      if (deleted < batchSize) break;
      await pause();
    }
    if (step.kind === "purge") {
      db.prepare(`DELETE FROM log_purges WHERE id = ?`).run(step.purgeId);
      result.purgesCompleted++;
    }
  }
  return result;
}

function deleteBatch(db: LogDb, step: SweepStep, limit: number): number {
  const deleted = db.transaction(() => {
    if (step.kind === "purge") {
      // The group or stream rows are already gone; only the events remain to delete.
      return step.streamId === null
        ? db.prepare(`DELETE FROM log_events WHERE id IN (SELECT id FROM log_events WHERE group_id = ? LIMIT ?)`).run(step.groupId, limit).changes
        : db.prepare(`DELETE FROM log_events WHERE id IN (SELECT id FROM log_events WHERE stream_id = ? LIMIT ?)`).run(step.streamId, limit).changes;
    }
    const rows = db
      .prepare(
        `DELETE FROM log_events WHERE id IN (
           SELECT id FROM log_events INDEXED BY log_events_group_time WHERE group_id = ? AND timestamp < ? ORDER BY timestamp LIMIT ?
         ) RETURNING stream_id AS streamId, bytes`,
      )
      .all(step.groupId, step.before, limit) as { streamId: number; bytes: number }[];
    const perStream = new Map<number, number>();
    for (const r of rows) perStream.set(r.streamId, (perStream.get(r.streamId) ?? 0) + r.bytes);
    const updateStream = db.prepare(
      `UPDATE log_streams SET stored_bytes = max(0, stored_bytes - @bytes),
         first_event_time = coalesce((SELECT min(timestamp) FROM log_events WHERE stream_id = @id), first_event_time)
       WHERE id = @id`,
    );
    let total = 0;
    for (const [streamId, bytes] of perStream) {
      updateStream.run({ id: streamId, bytes });
      total += bytes;
    }
    db.prepare(`UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?`).run(total, step.groupId);
    return rows.length;
  })();
  if (deleted > 0) db.pragma("incremental_vacuum");
  return deleted;
}
