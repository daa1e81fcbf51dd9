import type { ControlPlaneConfig } from "../../domain/config.js";
import type { Clock } from "../../util/clock.js";
import { DEFAULT_BUS, ruleArn } from "./bus.js";
import type { RetrySettings } from "./delivery/retry-policy.js";
import type { JsonValue } from "./pattern/json.js";
import type { PatternCache } from "./pattern/pattern.js";
import type { EventsDb } from "./store/events-db.js";
import { deliveryBody } from "./targets/body.js";
import { deliveryRequest } from "./targets/endpoint.js";

export interface RouterDeps {
  db: EventsDb;
  config: Pick<ControlPlaneConfig, "region" | "accountId">;
  clock: Clock;
  patterns: PatternCache;
  retry: RetrySettings;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Matches up to `limit` outbox events after the cursor against the enabled rules and records
 * one delivery per matching (rule, target), advancing the cursor in the same transaction:
 * an event is routed exactly once, even across restarts. Returns how many events it read.
 */
export function routeOutbox(d: RouterDeps, limit = 500): number {
  const { db } = d;
  const rows = db.store.outbox.after(db.cursor, limit);
  const last = rows[rows.length - 1];
  if (!last) return 0;
  db.store.tx(() => {
    const rules = db.targets.enabledRulesWithTargets().filter((r) => r.rule.eventBus === DEFAULT_BUS);
    const now = d.clock.now();
    for (const { event } of rows) {
      for (const { rule, targets } of rules) {
        if (!matches(d, rule.eventPattern, event)) continue;
        const arn = ruleArn(d.config, rule.eventBus, rule.name);
        for (const target of targets) {
          try {
            const retries = target.RetryPolicy?.MaximumRetryAttempts;
            const maxAge = target.RetryPolicy?.MaximumEventAgeInSeconds;
            db.deliveries.insert({
              ruleArn: arn,
              targetId: target.Id,
              targetArn: target.Arn,
              eventId: event.id,
              event: JSON.stringify(event),
              body: deliveryBody(target, {
                event: event as unknown as JsonValue,
                ruleArn: arn,
                ruleName: rule.name,
                ingestionTime: isoSeconds(now),
              }),
              request: deliveryRequest(target),
              maxAttempts: retries === undefined ? d.retry.maxAttempts : retries + 1,
              giveUpAt: maxAge === undefined ? undefined : now + maxAge * 1000,
              createdAt: now,
            });
          } catch (err) {
            // PutTargets checked the target; this is only a target stored by an older version.
            d.logger("an EventBridge target cannot be delivered to", { rule: arn, target: target.Id, error: String(err) });
          }
        }
      }
    }
    db.cursor = last.id;
  });
  return rows.length;
}

function matches(d: RouterDeps, patternText: string, event: unknown): boolean {
  try {
    return d.patterns.get(patternText).matches(event);
  } catch (err) {
    // PutRule refuses invalid patterns, so this is a rule stored before a stricter check.
    d.logger("an EventBridge rule has an invalid pattern", { error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}
