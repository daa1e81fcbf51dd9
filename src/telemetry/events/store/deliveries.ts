import type { Db } from "../../../store/database.js";

/** Where and how to POST: fixed when the event is routed, so later target changes do not alter it. */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
}

export interface NewDelivery {
  ruleArn: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  /** The event as matched, JSON. */
  event: string;
  /** What is POSTed: the event, or the target's Input / InputPath / InputTransformer result. */
  body: string;
  request: DeliveryRequest;
  maxAttempts: number;
  /** Give up (dead-letter) once this time passes, from the target's MaximumEventAgeInSeconds. */
  giveUpAt: number | undefined;
  createdAt: number;
}

export interface Delivery extends NewDelivery {
  id: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | undefined;
}

interface RawDelivery {
  id: number;
  rule_arn: string;
  target_id: string;
  target_arn: string;
  event_id: string;
  event: string;
  body: string;
  request: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  give_up_at: number | null;
  last_error: string | null;
  created_at: number;
}

const fromRaw = (r: RawDelivery): Delivery => ({
  id: r.id,
  ruleArn: r.rule_arn,
  targetId: r.target_id,
  targetArn: r.target_arn,
  eventId: r.event_id,
  event: r.event,
  body: r.body,
  request: JSON.parse(r.request) as DeliveryRequest,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  nextAttemptAt: r.next_attempt_at,
  giveUpAt: r.give_up_at ?? undefined,
  lastError: r.last_error ?? undefined,
  createdAt: r.created_at,
});

/** Deliveries not yet made: a row lives from routing until success or dead letter. */
export class DeliveryRepository {
  constructor(private readonly db: Db) {}

  insert(d: NewDelivery): void {
    this.db
      .prepare(
        `INSERT INTO event_deliveries (rule_arn, target_id, target_arn, event_id, event, body, request, max_attempts,
           next_attempt_at, give_up_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.ruleArn,
        d.targetId,
        d.targetArn,
        d.eventId,
        d.event,
        d.body,
        JSON.stringify(d.request),
        d.maxAttempts,
        d.createdAt,
        d.giveUpAt ?? null,
        d.createdAt,
      );
  }

  /** Deliveries whose next attempt is due, oldest first. */
  due(now: number, limit: number): Delivery[] {
    const rows = this.db
      .prepare(`SELECT * FROM event_deliveries WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
      .all(now, limit) as RawDelivery[];
    return rows.map(fromRaw);
  }

  get(id: number): Delivery | undefined {
    const row = this.db.prepare(`SELECT * FROM event_deliveries WHERE id = ?`).get(id) as RawDelivery | undefined;
    return row ? fromRaw(row) : undefined;
  }

  all(): Delivery[] {
    return (this.db.prepare(`SELECT * FROM event_deliveries ORDER BY id`).all() as RawDelivery[]).map(fromRaw);
  }

  retryAt(id: number, attempts: number, nextAttemptAt: number, lastError: string): void {
    this.db
      .prepare(`UPDATE event_deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`)
      .run(attempts, nextAttemptAt, lastError, id);
  }

  delete(id: number): void {
    this.db.prepare(`DELETE FROM event_deliveries WHERE id = ?`).run(id);
  }
}
