import type { OperationHandler } from "../../../api/context.js";
import type { AwsJsonApi } from "../../../api/service-registry.js";
import { busOperations } from "./bus-ops.js";
import type { EventsEnv, EventsHandler } from "./env.js";
import { eventOperations } from "./events-ops.js";
import { ruleOperations } from "./rules-ops.js";
import { targetOperations } from "./targets-ops.js";

/**
 * EventBridge (AWS JSON 1.1, X-Amz-Target `AWSEvents.<Operation>`, SigV4 service `events`) on
 * the shared endpoint: rules, targets, PutEvents and TestEventPattern on the default bus.
 * Inputs are checked by hand (api/input.ts), so no model is attached.
 */
export function eventBridgeApi(env: EventsEnv): AwsJsonApi {
  const all: Record<string, EventsHandler> = { ...ruleOperations, ...targetOperations, ...eventOperations, ...busOperations };
  const operations: Record<string, OperationHandler> = {};
  for (const [name, op] of Object.entries(all)) operations[name] = (input, ctx) => op(input, ctx, env);
  return { targetPrefix: "AWSEvents", signingName: "events", jsonVersion: "1.1", operations };
}
