import type { Db } from "../../../store/database.js";

/** A delivery that ran out of attempts (or age): what, to where, and why it failed last. */
export interface DeadLetter {
  id: number;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  event: unknown;
  attempts: number;
  lastError: string;
  failedAt: number;
}

interface RawDeadLetter {
  id: number;
  rule_arn: string;
  target_id: string;
  target_arn: string;
  event_id: string;
  event: string;
  attempts: number;
  last_error: string;
  failed_at: number;
}

/**
 * AWS would send these to a target's SQS dead-letter queue; there is none here, so they are
 * kept in a table (and logged) where an operator or a test can read them. Not an AWS API.
 */
export class DeadLetterRepository {
  constructor(private readonly db: Db) {}

  insert(d: Omit<DeadLetter, "id" | "event"> & { event: string }): void {
    this.db
      .prepare(
        `INSERT INTO event_dead_letters (rule_arn, target_id, target_arn, event_id, event, attempts, last_error, failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.ruleArn, d.targetId, d.targetArn, d.eventId, d.event, d.attempts, d.lastError, d.failedAt);
  }

  list(limit = 1000): DeadLetter[] {
    const rows = this.db.prepare(`SELECT * FROM event_dead_letters ORDER BY id LIMIT ?`).all(limit) as RawDeadLetter[];
    return rows.map((r) => ({
      id: r.id,
      ruleArn: r.rule_arn,
      targetId: r.target_id,
      targetArn: r.target_arn,
      eventId: r.event_id,
      event: JSON.parse(r.event) as unknown,
      attempts: r.attempts,
      lastError: r.last_error,
      failedAt: r.failed_at,
    }));
  }
}
