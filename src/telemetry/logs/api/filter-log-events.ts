import { handler, type OperationHandler, type RequestContext } from "../../../domain/api-context.js";
import { compileFilterPattern } from "../filter-pattern/index.js";
import type { StreamScope } from "../store/catalog-queries.js";
import type { LogStore } from "../store/log-store.js";
import type { EventCursor } from "../store/rows.js";
import { DEFAULT_FILTER_LIMITS, searchedStreams, searchPage, type FilterLimits, type FilterPage, type FilterSearch } from "./filter-scan.js";
import { FollowChains } from "./follow-chain.js";
import type { FollowRequest } from "./follow-detection.js";
import { invalidParameter, LOG_STREAM_NAME, LogsInput } from "./input.js";
import { readGroupName, requireGroup } from "./resolve.js";
import { decodeFilterToken, encodeFilterToken, type FilterToken } from "./tokens.js";

export { DEFAULT_FILTER_LIMITS, type FilterLimits } from "./filter-scan.js";

/**
 * FilterLogEvents: events of a group, across its streams in (timestamp, id) order, that match
 * a filter pattern. Like CloudWatch, a call searches a bounded amount and may return fewer
 * events than `limit` (even none) with a nextToken; callers page until it is absent.
 *
 * Follow chains make `aws logs tail --follow` show new lines as they are stored instead of up
 * to 5 s later: a complete answer to what looks like the CLI's next poll (`follow-detection.ts`)
 * carries a `follow` nextToken, which the CLI sends back at once; a request with one answers
 * as soon as there are events after its position, waiting for new lines up to FOLLOW_HOLD_MS,
 * and then answers without a nextToken, so anything else mistaken for a follower still ends.
 */
export function filterOperations(
  store: LogStore,
  limits: FilterLimits = DEFAULT_FILTER_LIMITS,
  follow: FollowChains = new FollowChains(),
): Record<string, OperationHandler> {
  return {
    FilterLogEvents: handler<Record<string, unknown>>(async (raw, ctx) => {
      const ordinal = follow.requestStarted();
      const input = new LogsInput(raw);
      const names = input.stringList("logStreamNames", { min: 1, max: 100, item: LOG_STREAM_NAME });
      const prefix = input.string("logStreamNamePrefix", LOG_STREAM_NAME);
      const startTime = input.integer("startTime", { min: 0 });
      const endTime = input.integer("endTime", { min: 0 });
      const pattern = input.string("filterPattern", { min: 0, max: 1024 });
      const tokenText = input.string("nextToken", { min: 1 });
      const limit = input.integer("limit", { min: 1, max: 10_000 }) ?? 10_000;
      // Results are always interleaved and nothing is masked; `interleaved` only helps recognise the CLI's tail.
      const interleaved = input.boolean("interleaved");
      input.boolean("unmask");
      const groupName = readGroupName(input, ctx.config, { identifier: true });
      if (names !== undefined && prefix !== undefined) {
        throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
      }
      const filter = compileFilterPattern(pattern);
      const group = requireGroup(store, groupName);
      const token = tokenText === undefined ? undefined : decodeFilterToken(tokenText);
      const scope: StreamScope = names ? { kind: "names", names } : prefix !== undefined ? { kind: "prefix", prefix } : { kind: "all" };
      const search: FilterSearch = {
        groupId: group.id,
        scope,
        start: startTime ?? 0,
        // FilterLogEvents includes events at endTime (GetLogEvents does not).
        endExclusive: endTime === undefined ? Number.MAX_SAFE_INTEGER : endTime + 1,
        filter,
        limit,
      };
      const request: FollowRequest = {
        caller: ctx.principal.accessKeyId,
        group: group.name,
        filterPattern: pattern ?? "",
        scope,
        startTime,
        endTime,
        hasNextToken: token !== undefined,
        interleaved,
      };
      const answer = (page: FilterPage, next: FilterToken | undefined): Record<string, unknown> => ({
        events: page.events,
        searchedLogStreams: searchedStreams(store, search, next === undefined),
        ...(next ? { nextToken: encodeFilterToken(next) } : {}),
      });
      /** A complete answer without a nextToken: what a follower's next poll continues. */
      const lastAnswer = (page: FilterPage, newest: number | undefined): Record<string, unknown> => {
        remember(follow, request, newest, ctx);
        return answer(page, undefined);
      };

      if (token?.kind === "follow") {
        let after = token.after;
        const held = await follow.hold(store, group.name, () => {
          const page = searchPage(store, search, after, limits);
          if (page.events.length > 0 || page.more) return page;
          // Nothing to answer: later looks skip what this one examined.
          after = page.lastExamined ?? after;
          return undefined;
        });
        // The store closed under a held request (server shutdown): nothing can be read any more.
        if (held.kind === "closed") return { events: [], searchedLogStreams: [] };
        if (held.kind === "timeout") return lastAnswer({ events: [], more: undefined, lastExamined: after }, token.newest);
        if (held.waited && held.page.events.length > 0) follow.answeredAfterWaiting(ordinal);
        const next = held.page.more ?? held.page.lastExamined ?? after;
        return answer(held.page, { kind: "follow", after: next, newest: newestOf(held.page, token.newest) });
      }

      const page = searchPage(store, search, token?.after, limits);
      const newest = newestOf(page, token?.newest);
      if (follow.memory.takeContinuation(request, ctx.clock.now())) {
        // A follower's poll: its pages go on as a follow chain. Strictly after what this search
        // examined; with nothing examined, everything from startTime on (event ids start at 1).
        const after: EventCursor = page.more ?? page.lastExamined ?? { t: search.start, i: 0 };
        return answer(page, { kind: "follow", after, newest });
      }
      if (page.more) return answer(page, { kind: "scan", after: page.more, newest });
      return lastAnswer(page, newest);
    }),
  };
}

/** The newest event timestamp answered so far in a chain of pages (events come in time order). */
function newestOf(page: FilterPage, before: number | undefined): number | undefined {
  const last = page.events.at(-1)?.timestamp;
  return last === undefined ? before : Math.max(last, before ?? last);
}

/** Only open-ended queries with a startTime can be followed: the CLI's tail always sends one and never an endTime. */
function remember(follow: FollowChains, request: FollowRequest, newest: number | undefined, ctx: RequestContext): void {
  if (request.endTime !== undefined || request.startTime === undefined) return;
  follow.memory.remember({
    caller: request.caller,
    group: request.group,
    filterPattern: request.filterPattern,
    scope: request.scope,
    nextStartTime: newest ?? request.startTime,
    answeredAt: ctx.clock.now(),
  });
}
