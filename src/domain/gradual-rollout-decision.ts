/**
 * The step and abort decision of a gradual rollout: a pure function of the settings, where the
 * rollout is, what the data plane measured of the new version over the window, and the time.
 */
import type { RolloutSettings } from "./gradual-rollout.js";

/** What the data plane saw of one version over the window. */
export interface VersionMeasure {
  requests: number;
  errors5xx: number;
  /** Absent when the window holds no response with a latency. */
  p99Ms?: number | undefined;
}

export interface RolloutPosition {
  /** Index into settings.steps of the step under way. */
  step: number;
  /** When that step began (ms, the engine's clock). */
  stepStartedAt: number;
}

export type RolloutDecision =
  | { action: "wait" }
  | { action: "step"; step: number; percent: number }
  | { action: "promote" }
  | { action: "abort"; threshold: "max-5xx" | "max-p99"; reason: string };

const round = (n: number): number => Math.round(n * 100) / 100;

/** Percent of the window's responses that were 5xx (0 when there were none). */
export const errorPercent = (m: VersionMeasure): number => (m.requests > 0 ? (m.errors5xx * 100) / m.requests : 0);

/**
 * Abort when a threshold is crossed over a window holding at least min-requests responses (a
 * threshold crossed counts at any time, the step's end included); else step up once the step's
 * interval has passed, and promote after the last step.
 */
export function decideRollout(settings: RolloutSettings, at: RolloutPosition, measure: VersionMeasure, now: number): RolloutDecision {
  if (measure.requests >= settings.minRequests) {
    const pct = errorPercent(measure);
    if (pct > settings.max5xxPercent) {
      return {
        action: "abort",
        threshold: "max-5xx",
        reason: `${round(pct)}% of the new deployment's ${measure.requests} responses were 5xx, above max-5xx ${settings.max5xxPercent}%`,
      };
    }
    if (measure.p99Ms !== undefined && measure.p99Ms > settings.maxP99Ms) {
      return {
        action: "abort",
        threshold: "max-p99",
        reason: `the new deployment's p99 latency was ${measure.p99Ms} ms over ${measure.requests} responses, above max-p99 ${settings.maxP99Ms} ms`,
      };
    }
  }
  if (now - at.stepStartedAt < settings.intervalMs) return { action: "wait" };
  const next = at.step + 1;
  const percent = settings.steps[next];
  return percent === undefined ? { action: "promote" } : { action: "step", step: next, percent };
}
