import type { RequestContext } from "../../../domain/api-context.js";
import { notFound } from "../../../errors/app-runner-error.js";
import type { EventsDb } from "../store/events-db.js";
import type { RuleRow } from "../store/rules.js";

/** What the EventBridge operations share beyond the request context. */
export interface EventsEnv {
  db: EventsDb;
  /** Tells the delivery worker there are new events (PutEvents). */
  wake(): void;
}

/** An EventBridge operation: the shared handler shape plus the module's environment. */
export type EventsHandler = (input: Record<string, unknown>, ctx: RequestContext, env: EventsEnv) => unknown;

export function requireRule(env: EventsEnv, bus: string, name: string): RuleRow {
  const rule = env.db.rules.get(bus, name);
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
  return rule;
}
