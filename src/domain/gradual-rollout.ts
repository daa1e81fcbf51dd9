/**
 * Gradual rollout, opted in per service with a tag (issue 20): the new deployment takes a share
 * of new clients, steps up on a schedule, and goes back by itself when its 5xx rate or latency
 * crosses a threshold. A tag because every App Runner client can set one without a new field.
 *
 * `openrunner:gradual-rollout` = `true`/`on` (the defaults), `false`/`off` (App Runner's
 * all-at-once blue/green), or space-separated settings, any subset:
 * `steps=10/50 interval=1m max-5xx=1 max-p99=2s window=1m min-requests=20`.
 * Tag values keep to the characters AWS's tag policies allow everywhere (`/ = . :` and space).
 */
import { invalidRequest } from "../errors/app-runner-error.js";
import { describeMs } from "./scale-to-zero.js";

export const GRADUAL_ROLLOUT_TAG = "openrunner:gradual-rollout";

export interface RolloutSettings {
  /** Percent of new clients the new version takes at each step, increasing, 1..99; then 100. */
  steps: number[];
  intervalMs: number;
  /** Abort when more than this percent of the new version's responses over the window are 5xx. */
  max5xxPercent: number;
  /** Abort when the new version's p99 latency over the window is above this. */
  maxP99Ms: number;
  /** The sliding window of the checks (at most the interval). */
  windowMs: number;
  /** No abort before the window holds this many of the new version's responses. */
  minRequests: number;
}

export const DEFAULT_ROLLOUT: Readonly<RolloutSettings> = Object.freeze({
  steps: [10, 50],
  intervalMs: 60_000,
  max5xxPercent: 1,
  maxP99Ms: 2_000,
  windowMs: 60_000,
  minRequests: 20,
});

/** 10 s: shorter steps see too few requests to judge a version by. */
export const MIN_INTERVAL_MS = 10_000;
export const MAX_INTERVAL_MS = 3_600_000;
export const MIN_P99_MS = 1;
export const MAX_P99_MS = 120_000;
export const MAX_MIN_REQUESTS = 10_000;

export interface RolloutBounds {
  /** The shortest interval (and window) accepted: MIN_INTERVAL_MS, shorter only for tests. */
  minIntervalMs?: number | undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const INTEGER = /^\d+$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

function duration(name: string, raw: string, min: number, max: number, bareUnitMs: number): number | string {
  const m = DURATION.exec(raw);
  const ms = m ? Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? bareUnitMs)) : NaN;
  if (!m || ms < min || ms > max) return `${name} must be a duration between ${describeMs(min)} and ${describeMs(max)} (such as 30s or 5m), not ${JSON.stringify(raw)}`;
  return ms;
}

function integer(name: string, raw: string, min: number, max: number): number | string {
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) return `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`;
  return n;
}

function steps(raw: string): number[] | string {
  const parts = raw.split("/");
  const out: number[] = [];
  for (const p of parts) {
    const n = INTEGER.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 99) || (out.length > 0 && n <= (out.at(-1) ?? 0))) {
      return `steps must be increasing percentages from 1 to 99 separated by / (such as 10/50), not ${JSON.stringify(raw)}`;
    }
    out.push(n);
  }
  return out;
}

/** The settings a tag value asks for, undefined for off; a sentence saying what is wrong otherwise. Pure. */
export function parseRolloutSettings(value: string, bounds: RolloutBounds = {}): RolloutSettings | undefined | { problem: string } {
  const v = value.trim().toLowerCase();
  if (v === "false" || v === "off") return undefined;
  if (v === "true" || v === "on" || v === "") return { ...DEFAULT_ROLLOUT, steps: [...DEFAULT_ROLLOUT.steps] };
  const minMs = bounds.minIntervalMs ?? MIN_INTERVAL_MS;
  const out: RolloutSettings = { ...DEFAULT_ROLLOUT, steps: [...DEFAULT_ROLLOUT.steps] };
  let window: number | undefined;
  for (const word of v.split(/\s+/)) {
    const eq = word.indexOf("=");
    const key = eq < 0 ? word : word.slice(0, eq);
    const raw = eq < 0 ? "" : word.slice(eq + 1);
    let got: number | number[] | string;
    switch (key) {
      case "steps":
        got = steps(raw);
        if (typeof got !== "string") out.steps = got as number[];
        break;
      case "interval":
        got = duration("interval", raw, minMs, MAX_INTERVAL_MS, 1000);
        if (typeof got === "number") out.intervalMs = got;
        break;
      case "window":
        got = duration("window", raw, minMs, MAX_INTERVAL_MS, 1000);
        if (typeof got === "number") window = got;
        break;
      case "max-5xx": {
        const n = NUMBER.test(raw) ? Number(raw) : NaN;
        got = n >= 0 && n <= 100 ? n : `max-5xx must be a percentage from 0 to 100, not ${JSON.stringify(raw)}`;
        if (typeof got === "number") out.max5xxPercent = got;
        break;
      }
      case "max-p99":
        got = duration("max-p99", raw, MIN_P99_MS, MAX_P99_MS, 1);
        if (typeof got === "number") out.maxP99Ms = got;
        break;
      case "min-requests":
        got = integer("min-requests", raw, 1, MAX_MIN_REQUESTS);
        if (typeof got === "number") out.minRequests = got;
        break;
      default:
        got = `has no setting ${JSON.stringify(key)} (settings: steps, interval, max-5xx, max-p99, window, min-requests; or true / false)`;
    }
    if (typeof got === "string") return { problem: got };
  }
  // The window never reaches past the step it judges.
  out.windowMs = Math.min(window ?? Math.min(DEFAULT_ROLLOUT.windowMs, out.intervalMs), out.intervalMs);
  return out;
}

/** Throws InvalidRequestException when tags set the rollout tag to a value parseRolloutSettings refuses. */
export function checkGradualRolloutTag(tags: readonly { Key: string; Value: string }[], bounds: RolloutBounds = {}): void {
  for (const t of tags) {
    if (t.Key !== GRADUAL_ROLLOUT_TAG) continue;
    const parsed = parseRolloutSettings(t.Value, bounds);
    if (parsed && "problem" in parsed) throw invalidRequest(`Tag ${GRADUAL_ROLLOUT_TAG}: ${parsed.problem}.`);
  }
}

/** A service's rollout settings from its tags, undefined for all-at-once (an invalid stored value reads as off). */
export function rolloutSettingsOf(tags: readonly { Key: string; Value: string }[], bounds: RolloutBounds = {}): RolloutSettings | undefined {
  const t = tags.find((x) => x.Key === GRADUAL_ROLLOUT_TAG);
  if (!t) return undefined;
  const parsed = parseRolloutSettings(t.Value, bounds);
  return parsed && !("problem" in parsed) ? parsed : undefined;
}
