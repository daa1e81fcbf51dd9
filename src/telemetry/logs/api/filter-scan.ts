import type { CompiledFilter } from "../filter-pattern/index.js";
import type { StreamScope } from "../store/catalog-queries.js";
import type { LogStore } from "../store/log-store.js";
import type { EventCursor } from "../store/rows.js";

export interface FilterLimits {
  /** Events a call looks at (in SQLite, before text pre-selection); beyond them it returns a nextToken. */
  scanBudget: number;
  /** A response stops growing past this many message bytes (CloudWatch's 1 MB page). */
  maxResponseBytes: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { scanBudget: 100_000, maxResponseBytes: 1_048_576 };

/** One FilterLogEvents search, as validated from the request. */
export interface FilterSearch {
  groupId: number;
  scope: StreamScope;
  start: number;
  endExclusive: number;
  filter: CompiledFilter;
  limit: number;
}

export interface FilteredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

export interface FilterPage {
  events: FilteredEvent[];
  /** Set when more events may follow: resume strictly after it. */
  more: EventCursor | undefined;
  /** The last candidate examined (matching or not), or `after` when none was. */
  lastExamined: EventCursor | undefined;
}

/**
 * One bounded step of a search, resuming strictly after `after`: at most `scanBudget` events
 * examined, `limit` returned and about `maxResponseBytes` of messages. SQLite is synchronous,
 * so the budget bounds how long one call holds the event loop the App Runner API shares.
 */
export function searchPage(store: LogStore, q: FilterSearch, after: EventCursor | undefined, limits: FilterLimits): FilterPage {
  const streamNames = store.catalog.streamNames(q.groupId);
  const events: FilteredEvent[] = [];
  let bytes = 0;
  let lastExamined = after;
  let more: EventCursor | undefined;
  const window = store.events.scanWindow({
    groupId: q.groupId,
    scope: q.scope,
    start: q.start,
    endExclusive: q.endExclusive,
    after,
    requiredText: q.filter.requiredText,
    window: limits.scanBudget,
  });
  for (const row of window.rows) {
    // The row in hand proves there is more: stop before it and resume after the last one examined.
    if (events.length >= q.limit || bytes >= limits.maxResponseBytes) {
      more = lastExamined;
      break;
    }
    lastExamined = { t: row.timestamp, i: row.id };
    if (!q.filter.matches(row.message)) continue;
    bytes += Buffer.byteLength(row.message, "utf8");
    events.push({
      logStreamName: streamNames.get(row.streamId) ?? "",
      timestamp: row.timestamp,
      message: row.message,
      ingestionTime: row.ingestionTime,
      eventId: String(row.id),
    });
  }
  // The whole window was searched and more events may follow it: continue after it.
  more ??= window.end;
  return { events, more, lastExamined };
}

/** `searchedLogStreams`: the streams a search over this range covers. */
export function searchedStreams(store: LogStore, q: FilterSearch, complete: boolean): { logStreamName: string; searchedCompletely: boolean }[] {
  return store.catalog
    .streamsWithEventsIn(q.groupId, q.start, q.endExclusive, q.scope)
    .map((s) => ({ logStreamName: s.name, searchedCompletely: complete }));
}
