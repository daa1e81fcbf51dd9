import type { Db } from "../../../store/database.js";

export type RuleState = "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

export interface RuleRow {
  eventBus: string;
  name: string;
  eventPattern: string;
  state: RuleState;
  description: string | undefined;
  roleArn: string | undefined;
  createdAt: number;
}

export interface RawRule {
  event_bus: string;
  name: string;
  event_pattern: string;
  state: string;
  description: string | null;
  role_arn: string | null;
  created_at: number;
}

export const ruleFromRaw = (r: RawRule): RuleRow => ({
  eventBus: r.event_bus,
  name: r.name,
  eventPattern: r.event_pattern,
  state: r.state as RuleState,
  description: r.description ?? undefined,
  roleArn: r.role_arn ?? undefined,
  createdAt: r.created_at,
});

/** EventBridge rules, one row per (bus, name). */
export class RuleRepository {
  constructor(private readonly db: Db) {}

  get(bus: string, name: string): RuleRow | undefined {
    const row = this.db.prepare(`SELECT * FROM event_rules WHERE event_bus = ? AND name = ?`).get(bus, name) as RawRule | undefined;
    return row ? ruleFromRaw(row) : undefined;
  }

  /** PutRule replaces every attribute it is given or not (AWS: omitted ones are cleared), creation time aside. */
  put(r: RuleRow): void {
    this.db
      .prepare(
        `INSERT INTO event_rules (event_bus, name, event_pattern, state, description, role_arn, created_at)
         VALUES (@eventBus, @name, @eventPattern, @state, @description, @roleArn, @createdAt)
         ON CONFLICT (event_bus, name) DO UPDATE SET event_pattern = excluded.event_pattern, state = excluded.state,
           description = excluded.description, role_arn = excluded.role_arn`,
      )
      .run({ ...r, description: r.description ?? null, roleArn: r.roleArn ?? null });
  }

  setState(bus: string, name: string, state: RuleState): boolean {
    return this.db.prepare(`UPDATE event_rules SET state = ? WHERE event_bus = ? AND name = ?`).run(state, bus, name).changes > 0;
  }

  delete(bus: string, name: string): void {
    this.db.prepare(`DELETE FROM event_rules WHERE event_bus = ? AND name = ?`).run(bus, name);
  }

  /** In name order (as ListRules answers), names after `after`, starting with `prefix`. */
  list(bus: string, q: { prefix?: string; after?: string; limit: number }): RuleRow[] {
    const prefix = q.prefix ?? "";
    const rows = this.db
      .prepare(
        `SELECT * FROM event_rules WHERE event_bus = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?`,
      )
      .all(bus, prefix.length, prefix, q.after ?? "", q.limit) as RawRule[];
    return rows.map(ruleFromRaw);
  }
}
