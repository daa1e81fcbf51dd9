import { handler } from "../../protocol/context.js";
import type { AwsJsonApi } from "../../protocol/service-registry.js";
import { cloudTrailModel } from "../../model/model.js";
import type { Clock } from "../../util/clock.js";
import { encodeLookupToken, parseLookupRequest } from "./lookup-request.js";
import { retentionCutoff } from "./retention.js";
import type { StoredEvent, TrailStore } from "./trail-store.js";

export interface CloudTrailApiDeps {
  store: TrailStore;
  clock: Clock;
  retentionDays: number;
  /** Writes buffered events first, so a caller always finds the calls it just made. */
  flush(): void | Promise<void>;
}

/** The latest time a JavaScript Date can hold: "no end time" without a special case in SQL. */
const END_OF_TIME = 8.64e15;

/** LookupEvents' Event shape; ReadOnly is a string there, and EventTime epoch seconds on the wire. */
const toEvent = (e: StoredEvent): Record<string, unknown> => ({
  EventId: e.eventId,
  EventName: e.eventName,
  ReadOnly: String(e.readOnly),
  ...(e.accessKeyId ? { AccessKeyId: e.accessKeyId } : {}),
  EventTime: e.eventTime / 1000,
  EventSource: e.eventSource,
  ...(e.username ? { Username: e.username } : {}),
  Resources: e.resources,
  CloudTrailEvent: e.event,
});

/**
 * CloudTrail's X-Amz-Target prefixes: botocore (the AWS CLI) sends the model's full one, the
 * AWS SDK for JavaScript v3 the bare Smithy service name. CloudTrail answers both.
 */
export const CLOUDTRAIL_TARGET_PREFIXES = [
  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
  "CloudTrail_20131101",
] as const;

/**
 * CloudTrail 2013-11-01, AWS JSON 1.1, LookupEvents only: the account's event history,
 * newest first, limited to the retention window whether or not the sweep has run yet.
 * One API per target prefix, sharing the operations.
 */
export function cloudTrailApis(deps: CloudTrailApiDeps): AwsJsonApi<unknown>[] {
  const operations = lookupOperations(deps);
  return CLOUDTRAIL_TARGET_PREFIXES.map((targetPrefix) => ({
    targetPrefix,
    signingName: "cloudtrail",
    jsonVersion: "1.1",
    model: cloudTrailModel,
    modelChecks: "types",
    trailRedaction: "names",
    // cloudtrail:LookupEvents on "*": the event history has no resource-level permissions.
    authorization: { actionPrefix: "cloudtrail" },
    operations,
  }));
}

function lookupOperations(deps: CloudTrailApiDeps): AwsJsonApi<unknown>["operations"] {
  const lookupEvents = async (input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const req = parseLookupRequest(input);
    if (req.insights) return { Events: [] };
    await deps.flush();
    const start = Math.max(req.start ?? 0, retentionCutoff(deps.clock, deps.retentionDays));
    const end = req.end ?? END_OF_TIME;
    if (start > end) return { Events: [] };
    const rows = deps.store.lookup({
      ...(req.attribute ? { attribute: req.attribute } : {}),
      start,
      end,
      ...(req.cursor ? { before: req.cursor } : {}),
      limit: req.maxResults + 1,
    });
    const items = rows.slice(0, req.maxResults);
    const last = items[items.length - 1];
    const more = rows.length > req.maxResults && last !== undefined;
    return {
      Events: items.map(toEvent),
      ...(more ? { NextToken: encodeLookupToken(req.fingerprint, last.eventTime, last.seq) } : {}),
    };
  };
  return { LookupEvents: handler<Record<string, unknown>>(lookupEvents) };
}
