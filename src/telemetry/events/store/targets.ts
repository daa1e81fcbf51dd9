import type { Target } from "@aws-sdk/client-eventbridge";
import type { Wire } from "../../../protocol/wire.js";
import type { Db } from "../../../store/database.js";
import { ruleFromRaw, type RawRule, type RuleRow } from "./rules.js";

/** A target as PutTargets took it and ListTargetsByRule gives it back. */
export type StoredTarget = Wire<Target> & { Id: string; Arn: string };

/** The targets of each rule, kept whole as JSON: only Id and Arn are ever looked up. */
export class TargetRepository {
  constructor(private readonly db: Db) {}

  /** In Id order, Ids after `after`. */
  list(bus: string, rule: string, q: { after?: string; limit: number }): StoredTarget[] {
    const rows = this.db
      .prepare(`SELECT target FROM event_targets WHERE event_bus = ? AND rule = ? AND id > ? ORDER BY id LIMIT ?`)
      .all(bus, rule, q.after ?? "", q.limit) as { target: string }[];
    return rows.map((r) => JSON.parse(r.target) as StoredTarget);
  }

  ids(bus: string, rule: string): Set<string> {
    const rows = this.db.prepare(`SELECT id FROM event_targets WHERE event_bus = ? AND rule = ?`).all(bus, rule) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  put(bus: string, rule: string, t: StoredTarget): void {
    this.db
      .prepare(
        `INSERT INTO event_targets (event_bus, rule, id, arn, target) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (event_bus, rule, id) DO UPDATE SET arn = excluded.arn, target = excluded.target`,
      )
      .run(bus, rule, t.Id, t.Arn, JSON.stringify(t));
  }

  delete(bus: string, rule: string, id: string): boolean {
    return this.db.prepare(`DELETE FROM event_targets WHERE event_bus = ? AND rule = ? AND id = ?`).run(bus, rule, id).changes > 0;
  }

  /** Names of the rules with a target of this ARN, in name order, after `after`. */
  ruleNamesByArn(bus: string, arn: string, q: { after?: string; limit: number }): string[] {
    const rows = this.db
      .prepare(`SELECT DISTINCT rule FROM event_targets WHERE event_bus = ? AND arn = ? AND rule > ? ORDER BY rule LIMIT ?`)
      .all(bus, arn, q.after ?? "", q.limit) as { rule: string }[];
    return rows.map((r) => r.rule);
  }

  /** What routing needs: every rule that is not disabled and has targets, with them. */
  enabledRulesWithTargets(): { rule: RuleRow; targets: StoredTarget[] }[] {
    const rows = this.db
      .prepare(
        `SELECT r.*, t.target FROM event_rules r JOIN event_targets t ON t.event_bus = r.event_bus AND t.rule = r.name
         WHERE r.state != 'DISABLED' ORDER BY r.event_bus, r.name, t.id`,
      )
      .all() as (RawRule & { target: string })[];
    const out: { rule: RuleRow; targets: StoredTarget[] }[] = [];
    for (const row of rows) {
      const last = out[out.length - 1];
      const target = JSON.parse(row.target) as StoredTarget;
      if (last && last.rule.eventBus === row.event_bus && last.rule.name === row.name) last.targets.push(target);
      else out.push({ rule: ruleFromRaw(row), targets: [target] });
    }
    return out;
  }
}
