import type { LogStore } from "../store/log-store.js";
import type { FilterPage } from "./filter-scan.js";
import { FOLLOW_MEMORY_MAX_ENTRIES, FOLLOW_MEMORY_TTL_MS, FOLLOW_SLEEP_WINDOW_MS, FollowMemory } from "./follow-detection.js";

/**
 * How long a follow request with nothing new waits for new lines before it answers without a
 * nextToken. Bounds what a caller mistaken for a follower pays (one wait, then its paginator
 * ends), and stays under botocore's 60 s read timeout. Long, because the CLI's 5 s sleep after
 * such an answer is the one gap left in a chain: with 45 s it is at most a tenth of a quiet time.
 */
export const FOLLOW_HOLD_MS = 45_000;
/**
 * A follow request that finds new lines answers no sooner than this after it started, so lines
 * written in a stream go out in batches: under steady logging a tail costs ~2 requests (and
 * audit events) a second instead of one per 50 ms write-buffer flush. A quiet group's first new
 * line, found by a request that has waited longer than this, goes out at once.
 */
export const FOLLOW_BATCH_MS = 500;
/** Follow requests waiting at once; beyond it a request answers at once and its chain ends (the CLI falls back to polling). */
export const MAX_HELD_FOLLOW_REQUESTS = 1_000;

export interface FollowSettings {
  holdMs: number;
  batchMs: number;
  maxHeld: number;
  memory: { ttlMs: number; maxEntries: number; window: { min: number; max: number } };
}

export const DEFAULT_FOLLOW_SETTINGS: FollowSettings = {
  holdMs: FOLLOW_HOLD_MS,
  batchMs: FOLLOW_BATCH_MS,
  maxHeld: MAX_HELD_FOLLOW_REQUESTS,
  memory: { ttlMs: FOLLOW_MEMORY_TTL_MS, maxEntries: FOLLOW_MEMORY_MAX_ENTRIES, window: FOLLOW_SLEEP_WINDOW_MS },
};

/** What tests and operators can observe of follow chains. */
export interface FollowStats {
  /** FilterLogEvents requests started, of any kind (each gets this ordinal). */
  readonly requests: number;
  /** Follow requests waiting for new lines now (not counting a batch's wait for more). */
  readonly holding: number;
  /** Answers with events given by requests that had waited for them. */
  readonly wokenAnswers: number;
  /** The ordinal of the last request that answered with events after waiting (0: none yet). */
  readonly lastWokenRequest: number;
}

export type HoldResult = { kind: "found"; page: FilterPage; waited: boolean } | { kind: "timeout" } | { kind: "closed" };

/**
 * The server side of `aws logs tail --follow` chains (see `filter-log-events.ts`): answers to
 * remember for detection, and requests held until their log group gets new lines.
 */
export class FollowChains {
  readonly memory: FollowMemory;
  private counters = { requests: 0, holding: 0, wokenAnswers: 0, lastWokenRequest: 0 };

  constructor(readonly settings: FollowSettings = DEFAULT_FOLLOW_SETTINGS) {
    this.memory = new FollowMemory(settings.memory);
  }

  get stats(): FollowStats {
    return { ...this.counters };
  }

  /** A FilterLogEvents request starts; returns its ordinal. */
  requestStarted(): number {
    return ++this.counters.requests;
  }

  /** Request `ordinal` answered with events it had waited for. */
  answeredAfterWaiting(ordinal: number): void {
    this.counters.wokenAnswers++;
    this.counters.lastWokenRequest = ordinal;
  }

  /**
   * Runs `look` (a search from the chain's position) now and again after every write to
   * `group` until it finds something, the hold time passes (one last look, then "timeout"), or
   * the store closes ("closed": do not read it). What it finds goes out at once when more may
   * follow (catching up); otherwise no sooner than `batchMs` after the request started, looked
   * up again then. With `maxHeld` requests already waiting, a request that finds nothing does
   * not wait. A client that disconnects meanwhile is not noticed (the API layer exposes no
   * abort): the hold time bounds what it costs.
   */
  async hold(store: LogStore, group: string, look: () => FilterPage | undefined): Promise<HoldResult> {
    const startedAt = performance.now();
    let found = look();
    let waited = false;
    if (!found) {
      if (this.counters.holding >= this.settings.maxHeld) return { kind: "timeout" };
      this.counters.holding++;
      let held: FilterPage | "timeout" | "closed";
      try {
        held = await this.waitFor(store, group, this.settings.holdMs, look);
      } finally {
        this.counters.holding--;
      }
      if (held === "closed" || held === "timeout") return { kind: held };
      found = held;
      waited = true;
    }
    const batchLeft = this.settings.batchMs - (performance.now() - startedAt);
    if (found.more === undefined && batchLeft > 0) {
      if ((await this.waitFor(store, group, batchLeft, () => undefined)) === "closed") return { kind: "closed" };
      // The same search from the same position: what was found plus what came meanwhile.
      found = look() ?? found;
    }
    return { kind: "found", page: found, waited };
  }

  /** Waits for writes to `group` until `look` finds something or `ms` pass (then one last look). */
  private async waitFor(
    store: LogStore,
    group: string,
    ms: number,
    look: () => FilterPage | undefined,
  ): Promise<FilterPage | "timeout" | "closed"> {
    const hold = new AbortController();
    const timer = setTimeout(() => hold.abort(), ms);
    // A held request never keeps the process alive; closing the store ends it anyway.
    timer.unref();
    try {
      for (;;) {
        const why = await store.appends.wait(group, hold.signal);
        if (why === "closed" || store.isClosed) return "closed";
        const found = look();
        if (found) return found;
        if (why === "aborted") return "timeout";
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
