import type { ApiDeps } from "../../../domain/api-context.js";
import { bindEnv } from "../../../protocol/context.js";
import type { AwsJsonApi } from "../../../protocol/service-registry.js";
import { eventsModel } from "../../../model/model.js";
import { busOperations } from "./bus-ops.js";
import type { EventsEnv, EventsHandler } from "./env.js";
import { eventOperations, PUT_EVENTS_MAX_BODY_BYTES } from "./events-ops.js";
import { ruleOperations } from "./rules-ops.js";
import { targetOperations } from "./targets-ops.js";

/**
 * EventBridge (AWS JSON 1.1, X-Amz-Target `AWSEvents.<Operation>`, SigV4 service `events`) on
 * the shared endpoint: rules, targets, PutEvents and TestEventPattern on the default bus.
 * JSON types are checked against botocore's model before a handler runs; constraints by hand
 * (api/input.ts), in EventBridge's words.
 */
export function eventBridgeApi(env: EventsEnv): AwsJsonApi<ApiDeps> {
  const all: Record<string, EventsHandler> = { ...ruleOperations, ...targetOperations, ...eventOperations, ...busOperations };
  const operations = bindEnv(all, env);
  return {
    targetPrefix: "AWSEvents",
    signingName: "events",
    jsonVersion: "1.1",
    model: eventsModel,
    modelChecks: "types",
    trailRedaction: "names",
    maxBodyBytes: { operations: { PutEvents: PUT_EVENTS_MAX_BODY_BYTES } },
    operations,
  };
}
