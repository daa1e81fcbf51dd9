/**
 * Scale to zero, opted in per service with a tag (issue 20): App Runner's API keeps MinSize >= 1,
 * and a tag is the one thing every App Runner client (CLI, SDKs, Terraform, CloudFormation) can
 * set on a service without a new field. `openrunner:scale-to-zero` = an idle period (`90s`,
 * `5m`, `2h`, a bare number of seconds) or `true` (DEFAULT_IDLE_MS); `false` or no tag: off.
 */
import { invalidRequest } from "../errors/app-runner-error.js";

export const SCALE_TO_ZERO_TAG = "openrunner:scale-to-zero";
/** `true` means 15 minutes: long enough that a service in use never sleeps between requests. */
export const DEFAULT_IDLE_MS = 15 * 60_000;
/** 30 s: shorter periods would stop and start instances between the requests of one visit. */
export const MIN_IDLE_MS = 30_000;
/** 24 h: a longer idle period is no scale to zero worth the name. */
export const MAX_IDLE_MS = 24 * 3_600_000;

export interface IdleBounds {
  /** The shortest idle period accepted (MIN_IDLE_MS; shorter only for tests). */
  minMs?: number | undefined;
}

const UNIT_MS: Record<string, number> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i;

/** The idle period a tag value asks for (ms), undefined for off; a string saying what is wrong otherwise. Pure. */
export function parseIdlePeriod(value: string, bounds: IdleBounds = {}): number | undefined | { problem: string } {
  const v = value.trim().toLowerCase();
  if (v === "false" || v === "off") return undefined;
  if (v === "true" || v === "on") return DEFAULT_IDLE_MS;
  const m = DURATION.exec(v);
  if (!m) return { problem: `must be true, false, or an idle period such as 90s, 5m or 2h, not ${JSON.stringify(value)}` };
  const ms = Math.round(Number(m[1]) * (UNIT_MS[(m[2] ?? "").toLowerCase()] ?? 1000));
  const min = bounds.minMs ?? MIN_IDLE_MS;
  if (ms < min || ms > MAX_IDLE_MS) {
    return { problem: `must be an idle period between ${describeMs(min)} and ${describeMs(MAX_IDLE_MS)}, not ${JSON.stringify(value)}` };
  }
  return ms;
}

/** Throws InvalidRequestException when tags set the scale-to-zero tag to a value parseIdlePeriod refuses. */
export function checkScaleToZeroTag(tags: readonly { Key: string; Value: string }[], bounds: IdleBounds = {}): void {
  for (const t of tags) {
    if (t.Key !== SCALE_TO_ZERO_TAG) continue;
    const parsed = parseIdlePeriod(t.Value, bounds);
    if (typeof parsed === "object") throw invalidRequest(`Tag ${SCALE_TO_ZERO_TAG} ${parsed.problem}.`);
  }
}

/** A service's idle period from its tags, undefined when it does not scale to zero (an invalid stored value reads as off). */
export function idlePeriodOf(tags: readonly { Key: string; Value: string }[], bounds: IdleBounds = {}): number | undefined {
  const t = tags.find((x) => x.Key === SCALE_TO_ZERO_TAG);
  if (!t) return undefined;
  const parsed = parseIdlePeriod(t.Value, bounds);
  return typeof parsed === "number" ? parsed : undefined;
}

/** 90000 -> "90 s", 300000 -> "5 min", 7200000 -> "2 h". */
export function describeMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}
