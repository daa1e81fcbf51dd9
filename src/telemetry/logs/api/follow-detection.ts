import type { StreamScope } from "../store/catalog-queries.js";

/**
 * `aws logs tail --follow` (AWS CLI v2, `FollowLogEventsGenerator` in
 * awscli/customizations/logs/tail.py) sleeps exactly 5 s after every FilterLogEvents answer
 * without a nextToken, then asks again with the same query and startTime = the newest event
 * timestamp it has seen. A request that arrives within this window after such an answer, with
 * exactly that startTime, is taken for the CLI's next poll. Wide enough for a slow CLI start or
 * a loaded host, narrow enough that a paginator or a script rarely matches by chance.
 */
export const FOLLOW_SLEEP_WINDOW_MS = { min: 4_000, max: 8_000 } as const;
/** Remembered answers older than this are forgotten (far past the window: nothing can match them). */
export const FOLLOW_MEMORY_TTL_MS = 30_000;
/** At most this many remembered answers (the oldest go first): memory stays bounded under any load. */
export const FOLLOW_MEMORY_MAX_ENTRIES = 1_000;

/** What makes two FilterLogEvents requests the same query, apart from their time range. */
export interface FollowQuery {
  /** The caller's access key id: one caller's answers never start another caller's chain. */
  caller: string;
  group: string;
  /** The filter pattern as sent ("" when absent). */
  filterPattern: string;
  scope: StreamScope;
}

/** A FilterLogEvents request, as far as detection looks at it. */
export interface FollowRequest extends FollowQuery {
  startTime: number | undefined;
  endTime: number | undefined;
  hasNextToken: boolean;
  /** The CLI's tail always sends `interleaved: true`; most other callers do not (it is deprecated). */
  interleaved: boolean | undefined;
}

/** An answer given without a nextToken, which a follower's next poll continues. */
export interface RememberedAnswer extends FollowQuery {
  /** The startTime a follower sends next: the newest event timestamp answered, or the request's startTime when none was. */
  nextStartTime: number;
  answeredAt: number;
}

export type FollowDecision =
  | { continuation: true }
  | {
      continuation: false;
      reason:
        | "has-next-token"
        | "has-end-time"
        | "no-start-time"
        | "not-interleaved"
        | "no-previous-answer"
        | "different-query"
        | "different-start-time"
        | "too-early"
        | "too-late";
    };

/** Whether `request` is a follower's next poll after `answer`; pure, `now` from the injected clock. */
export function decideFollow(
  request: FollowRequest,
  answer: RememberedAnswer | undefined,
  now: number,
  window: { min: number; max: number } = FOLLOW_SLEEP_WINDOW_MS,
): FollowDecision {
  const no = (reason: Extract<FollowDecision, { continuation: false }>["reason"]): FollowDecision => ({ continuation: false, reason });
  if (request.hasNextToken) return no("has-next-token");
  if (request.endTime !== undefined) return no("has-end-time");
  if (request.startTime === undefined) return no("no-start-time");
  if (request.interleaved !== true) return no("not-interleaved");
  if (!answer) return no("no-previous-answer");
  if (queryKey(request) !== queryKey(answer)) return no("different-query");
  if (request.startTime !== answer.nextStartTime) return no("different-start-time");
  const elapsed = now - answer.answeredAt;
  if (elapsed < window.min) return no("too-early");
  if (elapsed > window.max) return no("too-late");
  return { continuation: true };
}

/**
 * Answers given without a nextToken, by query and the startTime that would continue them
 * (two tails of one query by one caller keep separate entries). Bounded: entries expire after
 * `ttlMs` and the oldest go beyond `maxEntries`.
 */
export class FollowMemory {
  /** Insertion order is answer order: expiry and eviction take from the front. */
  private readonly answers = new Map<string, RememberedAnswer>();

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; window: { min: number; max: number } } = {
      ttlMs: FOLLOW_MEMORY_TTL_MS,
      maxEntries: FOLLOW_MEMORY_MAX_ENTRIES,
      window: FOLLOW_SLEEP_WINDOW_MS,
    },
  ) {}

  get size(): number {
    return this.answers.size;
  }

  remember(answer: RememberedAnswer): void {
    this.expire(answer.answeredAt);
    const key = entryKey(answer, answer.nextStartTime);
    this.answers.delete(key);
    this.answers.set(key, answer);
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.opts.maxEntries) break;
      this.answers.delete(oldest);
    }
  }

  /** Whether `request` continues a remembered answer; a matched answer is used up. */
  takeContinuation(request: FollowRequest, now: number): boolean {
    this.expire(now);
    const key = request.startTime === undefined ? undefined : entryKey(request, request.startTime);
    const answer = key === undefined ? undefined : this.answers.get(key);
    const decision = decideFollow(request, answer, now, this.opts.window);
    if (decision.continuation && key !== undefined) this.answers.delete(key);
    return decision.continuation;
  }

  private expire(now: number): void {
    for (const [key, answer] of this.answers) {
      if (now - answer.answeredAt <= this.opts.ttlMs) break;
      this.answers.delete(key);
    }
  }
}

function queryKey(q: FollowQuery): string {
  const scope = q.scope.kind === "names" ? ["names", ...q.scope.names] : q.scope.kind === "prefix" ? ["prefix", q.scope.prefix] : ["all"];
  return JSON.stringify([q.caller, q.group, q.filterPattern, scope]);
}

const entryKey = (q: FollowQuery, startTime: number): string => `${queryKey(q)}@${startTime}`;
