import type { RequestContext } from "../../../domain/api-context.js";
import type { BusEvent } from "../../../store/event-outbox.js";
import { uuid } from "../../../util/random.js";
import { resolveBus } from "../bus.js";
import { isJsonObject } from "../pattern/json.js";
import { compilePattern } from "../pattern/pattern.js";
import type { EventsHandler } from "./env.js";
import { Input, validation } from "./input.js";

/** PutEvents takes at most 256 KB of entries per request. */
const MAX_ENTRIES_BYTES = 256 * 1024;
/**
 * The largest PutEvents body read: the entries are measured as the JSON they are sent as, so
 * twice their limit leaves room for the envelope; a larger body is refused before it is read.
 */
export const PUT_EVENTS_MAX_BODY_BYTES = 2 * MAX_ENTRIES_BYTES;

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const failure = (ErrorCode: string, ErrorMessage: string): EntryResult => ({ ErrorCode, ErrorMessage });
const required = (name: string): EntryResult =>
  failure("InvalidArgument", `Parameter ${name} is not valid. Reason: ${name} is a required argument.`);

interface Entry {
  source?: string;
  detailType?: string;
  detail?: string;
  resources: string[];
  time?: number;
  bus?: string;
}

/** An entry as an event on the bus, or why (in PutEvents' per-entry error codes) it is not one. */
function toEvent(e: Entry, ctx: RequestContext): BusEvent | EntryResult {
  if (!e.source) return required("Source");
  if (!e.detailType) return required("DetailType");
  if (!e.detail) return required("Detail");
  // Sources starting "aws." belong to AWS services: App Runner's own events come from inside.
  if (e.source.startsWith("aws.")) return failure("NotAuthorizedForSourceException", "Not authorized for the source.");
  try {
    resolveBus(ctx.config, e.bus);
  } catch (err) {
    return failure("ResourceNotFoundException", err instanceof Error ? err.message : String(err));
  }
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    return failure("MalformedDetail", "Detail is malformed.");
  }
  if (!isJsonObject(detail)) return failure("MalformedDetail", "Detail is malformed.");
  return {
    version: "0",
    id: uuid(ctx.random),
    "detail-type": e.detailType,
    source: e.source,
    account: ctx.config.accountId,
    time: isoSeconds(e.time !== undefined ? e.time * 1000 : ctx.clock.now()),
    region: ctx.config.region,
    resources: e.resources,
    detail,
  };
}

/**
 * PutEvents puts custom events on the default bus: they join App Runner's events in the
 * outbox (one transaction for the request) and are matched and delivered the same way.
 */
const putEvents: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const list = input.list("Entries", { required: true, min: 1, max: 10 }) ?? [];
  const entries: Entry[] = input.objects("Entries", list).map((e) => {
    e.string("TraceHeader", { max: 500 });
    return {
      source: e.string("Source"),
      detailType: e.string("DetailType"),
      detail: e.string("Detail"),
      resources: e.stringList("Resources") ?? [],
      time: e.number("Time"),
      bus: e.string("EventBusName", { min: 1, max: 1600 }),
    };
  });
  input.string("EndpointId", { min: 1, max: 50 });
  input.done();
  if (Buffer.byteLength(JSON.stringify(list)) > MAX_ENTRIES_BYTES) {
    throw validation("Total size of the entries in the request is over the limit.");
  }
  const now = ctx.clock.now();
  const results = ctx.store.tx(() =>
    entries.map((entry): EntryResult => {
      const event = toEvent(entry, ctx);
      if (!("version" in event)) return event;
      ctx.store.outbox.append(event, now);
      return { EventId: event.id };
    }),
  );
  env.wake();
  return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
};

/** The fields AWS requires of TestEventPattern's event. */
const EVENT_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"];

const testEventPattern: EventsHandler = (raw) => {
  const input = new Input(raw);
  const pattern = input.string("EventPattern", { required: true }) ?? "";
  const eventText = input.string("Event", { required: true }) ?? "";
  input.done();
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    throw validation("Parameter Event is not valid. Reason: it is not valid JSON.");
  }
  if (!isJsonObject(event)) throw validation("Parameter Event is not valid. Reason: it must be a JSON object.");
  const missing = EVENT_FIELDS.filter((f) => !Object.hasOwn(event, f));
  if (missing.length > 0) throw validation(`Parameter Event is not valid. Reason: missing ${missing.join(", ")}.`);
  return { Result: compilePattern(pattern).matches(event) };
};

export const eventOperations: Record<string, EventsHandler> = {
  PutEvents: putEvents,
  TestEventPattern: testEventPattern,
};
