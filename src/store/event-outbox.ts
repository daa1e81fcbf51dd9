import type { Db } from "./database.js";

/** An EventBridge event as AWS shapes it. */
export interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Events are written in the same transaction as the change they describe, then delivered. */
export class EventOutboxRepository {
  constructor(private readonly db: Db) {}

  append(e: BusEvent, at: number): void {
    this.db
      .prepare(`INSERT INTO event_outbox (event_id, time, detail_type, event) VALUES (?, ?, ?, ?)`)
      .run(e.id, at, e["detail-type"], JSON.stringify(e));
  }

  after(id: number, limit = 1000): { id: number; event: BusEvent }[] {
    const rows = this.db
      .prepare(`SELECT id, event FROM event_outbox WHERE id > ? ORDER BY id LIMIT ?`)
      .all(id, limit) as { id: number; event: string }[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event) as BusEvent }));
  }
}
