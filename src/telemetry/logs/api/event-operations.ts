import { handler, type OperationHandler } from "../../../domain/api-context.js";
import type { LogStore } from "../store/log-store.js";
import type { EventCursor } from "../store/rows.js";
import type { InputEvent } from "../store/writer.js";
import { invalidParameter, LOG_GROUP_NAME, LOG_STREAM_NAME, LogsInput } from "./input.js";
import { readGroupName, requireGroup, requireStream } from "./resolve.js";
import { decodeStreamToken, encodeStreamToken } from "./tokens.js";

const TIMESTAMP = { min: 0 } as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** PutLogEvents' batch limit: UTF-8 bytes of the messages plus 26 bytes per event. */
const MAX_BATCH_BYTES = 1_048_576;
/**
 * The largest PutLogEvents body read: a full batch plus as much again for the JSON around it
 * (`{"timestamp":…,"message":"…"},` for up to 10,000 events) and escaped quotes, newlines and
 * tabs. Only a batch made mostly of control characters (six bytes each once escaped) could be
 * valid and still not fit; a larger body is refused before it is read.
 */
export const PUT_LOG_EVENTS_MAX_BODY_BYTES = 2 * MAX_BATCH_BYTES;
/** Before any event: ids start at 1 and timestamps at 0. */
const START: EventCursor = { t: 0, i: 0 };
const END: EventCursor = { t: Number.MAX_SAFE_INTEGER, i: 0 };

/** GetLogEvents (one stream, paged both ways) and PutLogEvents. */
export function eventOperations(store: LogStore): Record<string, OperationHandler> {
  return {
    GetLogEvents: handler<Record<string, unknown>>((raw, ctx) => {
      const input = new LogsInput(raw);
      const streamName = input.string("logStreamName", { ...LOG_STREAM_NAME, required: true }) ?? "";
      const startTime = input.integer("startTime", TIMESTAMP);
      const endTime = input.integer("endTime", TIMESTAMP);
      const token = input.string("nextToken", { min: 1 });
      const limit = input.integer("limit", { min: 1, max: 10_000 }) ?? 10_000;
      const startFromHead = input.boolean("startFromHead") ?? false;
      input.boolean("unmask");
      const groupName = readGroupName(input, ctx.config, { identifier: true });
      const stream = requireStream(store, requireGroup(store, groupName), streamName);
      const from = token === undefined ? undefined : decodeStreamToken(token);
      const rows = store.events.streamPage({
        streamId: stream.id,
        start: startTime ?? 0,
        // GetLogEvents excludes events at endTime (FilterLogEvents includes them).
        endExclusive: endTime ?? Number.MAX_SAFE_INTEGER,
        direction: from?.direction ?? (startFromHead ? "forward" : "backward"),
        from: from?.cursor,
        limit,
      });
      const first = rows[0];
      const last = rows.at(-1);
      // With nothing new, both tokens stay where the caller was: the same forward token back is
      // CloudWatch's "end of stream" signal that paging loops (and SDK paginators) stop on.
      const forward = last ? { t: last.timestamp, i: last.id } : (from?.cursor ?? START);
      const backward = first ? { t: first.timestamp, i: first.id } : (from?.cursor ?? END);
      return {
        events: rows.map((r) => ({ timestamp: r.timestamp, message: r.message, ingestionTime: r.ingestionTime })),
        nextForwardToken: encodeStreamToken("f", forward),
        nextBackwardToken: encodeStreamToken("b", backward),
      };
    }),

    PutLogEvents: handler<Record<string, unknown>>((raw, ctx) => {
      const input = new LogsInput(raw);
      const groupName = input.string("logGroupName", { ...LOG_GROUP_NAME, required: true }) ?? "";
      const streamName = input.string("logStreamName", { ...LOG_STREAM_NAME, required: true }) ?? "";
      input.string("sequenceToken", { min: 1 });
      const events = (input.list("logEvents", { required: true, min: 1, max: 10_000 }) ?? []).map((item, i) => {
        const e = input.member(`logEvents.${i + 1}.member`, item);
        return { timestamp: e.integer("timestamp", { required: true, ...TIMESTAMP }) ?? 0, message: e.string("message", { required: true, min: 1 }) ?? "" };
      });
      input.check();
      checkBatch(events);
      const group = requireGroup(store, groupName);
      requireStream(store, group, streamName);
      const now = ctx.clock.now();
      const { accepted, rejected } = splitRejected(events, now, group.retentionDays);
      if (accepted.length > 0) store.putEvents(groupName, streamName, accepted);
      return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
    }),
  };
}

/** CloudWatch's rules for one PutLogEvents batch. */
function checkBatch(events: readonly InputEvent[]): void {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const prev = events[i - 1];
    if (!e) continue;
    if (prev && e.timestamp < prev.timestamp) {
      throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
    }
    bytes += Buffer.byteLength(e.message, "utf8") + 26;
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  const first = events[0];
  const last = events.at(-1);
  if (first && last && last.timestamp - first.timestamp > DAY) {
    throw invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
}

/**
 * Events more than 2 hours ahead, more than 14 days old, or older than the group's retention
 * are not stored; the response says which, by index (the batch is in chronological order, so
 * the old ones lead and the new ones trail).
 */
function splitRejected(
  events: readonly InputEvent[],
  now: number,
  retentionDays: number | null,
): { accepted: InputEvent[]; rejected: Record<string, number> } {
  const tooOldEnd = events.filter((e) => e.timestamp < now - 14 * DAY).length;
  const expiredEnd = retentionDays === null ? 0 : events.filter((e) => e.timestamp < now - retentionDays * DAY).length;
  const tooNewStart = events.findIndex((e) => e.timestamp > now + 2 * HOUR);
  const rejected: Record<string, number> = {};
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
  if (tooNewStart >= 0) rejected.tooNewLogEventStartIndex = tooNewStart;
  const accepted = events.slice(Math.max(tooOldEnd, expiredEnd), tooNewStart >= 0 ? tooNewStart : events.length);
  return { accepted, rejected };
}
