import { handler, type OperationHandler } from "../../../api/context.js";
import { compileFilterPattern } from "../filter-pattern/index.js";
import type { StreamScope } from "../store/catalog-queries.js";
import type { LogStore } from "../store/log-store.js";
import type { EventCursor } from "../store/rows.js";
import { invalidParameter, LOG_STREAM_NAME, LogsInput } from "./input.js";
import { readGroupName, requireGroup } from "./resolve.js";
import { decodeScanToken, encodeScanToken } from "./tokens.js";

export interface FilterLimits {
  /** Events a call looks at (in SQLite, before text pre-selection); beyond them it returns a nextToken. */
  scanBudget: number;
  /** A response stops growing past this many message bytes (CloudWatch's 1 MB page). */
  maxResponseBytes: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { scanBudget: 100_000, maxResponseBytes: 1_048_576 };

/**
 * FilterLogEvents: events of a group, across its streams in (timestamp, id) order, that match
 * a filter pattern. Like CloudWatch, a call searches a bounded amount and may return fewer
 * events than `limit` (even none) with a nextToken; callers page until it is absent.
 */
export function filterOperations(store: LogStore, limits: FilterLimits = DEFAULT_FILTER_LIMITS): Record<string, OperationHandler> {
  return {
    FilterLogEvents: handler<Record<string, unknown>>((raw, ctx) => {
      const input = new LogsInput(raw);
      const names = input.stringList("logStreamNames", { min: 1, max: 100, item: LOG_STREAM_NAME });
      const prefix = input.string("logStreamNamePrefix", LOG_STREAM_NAME);
      const startTime = input.integer("startTime", { min: 0 });
      const endTime = input.integer("endTime", { min: 0 });
      const pattern = input.string("filterPattern", { min: 0, max: 1024 });
      const token = input.string("nextToken", { min: 1 });
      const limit = input.integer("limit", { min: 1, max: 10_000 }) ?? 10_000;
      // Accepted and ignored: results are always interleaved, nothing is masked.
      input.boolean("interleaved");
      input.boolean("unmask");
      const groupName = readGroupName(input, ctx.config, { identifier: true });
      if (names !== undefined && prefix !== undefined) {
        throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
      }
      const filter = compileFilterPattern(pattern);
      const group = requireGroup(store, groupName);
      const scope: StreamScope = names ? { kind: "names", names } : prefix !== undefined ? { kind: "prefix", prefix } : { kind: "all" };
      const start = startTime ?? 0;
      // FilterLogEvents includes events at endTime (GetLogEvents does not).
      const endExclusive = endTime === undefined ? Number.MAX_SAFE_INTEGER : endTime + 1;
      const streamNames = store.catalog.streamNames(group.id);

      const events: Record<string, unknown>[] = [];
      let bytes = 0;
      let lastExamined: EventCursor | undefined = token === undefined ? undefined : decodeScanToken(token);
      let next: EventCursor | undefined;
      const window = store.events.scanWindow({
        groupId: group.id,
        scope,
        start,
        endExclusive,
        after: lastExamined,
        requiredText: filter.requiredText,
        window: limits.scanBudget,
      });
      for (const row of window.rows) {
        // The row in hand proves there is more: stop before it and resume after the last one examined.
        if (events.length >= limit || bytes >= limits.maxResponseBytes) {
          next = lastExamined;
          break;
        }
        lastExamined = { t: row.timestamp, i: row.id };
        if (!filter.matches(row.message)) continue;
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
      next ??= window.end;
      const searched = store.catalog.streamsWithEventsIn(group.id, start, endExclusive, scope);
      return {
        events,
        searchedLogStreams: searched.map((s) => ({ logStreamName: s.name, searchedCompletely: next === undefined })),
        ...(next ? { nextToken: encodeScanToken(next) } : {}),
      };
    }),
  };
}
