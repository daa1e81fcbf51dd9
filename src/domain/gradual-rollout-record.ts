/**
 * A gradual rollout as its operation records it (`state.rollout`): the engine's resumable
 * progress, and what DescribeRollout shows.
 */
import type { RolloutSettings } from "./gradual-rollout.js";

export type RolloutStatus = "IN_PROGRESS" | "PROMOTED" | "ABORTED" | "FAILED";

export interface RolloutStepRecord {
  percent: number;
  /** ms */
  startedAt: number;
  endedAt?: number;
  /** The window's numbers at the step's last look (or its end). */
  requests: number;
  errors5xx: number;
  p99Ms?: number;
}

export interface RolloutRecord {
  settings: RolloutSettings;
  status: RolloutStatus;
  /** Index of the step under way (or the last one). */
  step: number;
  steps: RolloutStepRecord[];
  startedAt: number;
  endedAt?: number;
  reason?: string;
}

/** The record kept on an operation's state, when it has one (a state written by another version is ignored). */
export function rolloutRecordOf(value: unknown): RolloutRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Partial<RolloutRecord>;
  if (!r.settings || !Array.isArray(r.steps) || typeof r.step !== "number" || typeof r.status !== "string" || typeof r.startedAt !== "number") return undefined;
  return r as RolloutRecord;
}

/** The percent of new clients the new version takes now (100 once promoted, 0 once it went back). */
export function rolloutPercent(r: RolloutRecord): number {
  if (r.status === "PROMOTED") return 100;
  if (r.status !== "IN_PROGRESS") return 0;
  return r.steps[r.step]?.percent ?? 0;
}
