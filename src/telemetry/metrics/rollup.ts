import { mergeSets, type StatSet } from "./statistics.js";

export interface MinuteSet {
  /** Minutes since the epoch. */
  minute: number;
  set: StatSet;
}

export interface PeriodSet {
  /** Start of the period, epoch milliseconds: the datapoint's Timestamp. */
  start: number;
  set: StatSet;
}

const MINUTE_MS = 60_000;

/** CloudWatch rounds a recent StartTime down to the whole minute; periods count from there. */
export const alignStart = (startMs: number): number => Math.floor(startMs / MINUTE_MS) * MINUTE_MS;

/** How many periods [start, end) spans: what CloudWatch counts against its datapoint limits. */
export function periodCount(startMs: number, endMs: number, periodSeconds: number): number {
  const from = alignStart(startMs);
  return endMs <= from ? 0 : Math.ceil((endMs - from) / (periodSeconds * 1000));
}

/**
 * Rolls minute sets up into periods of `periodSeconds` (a multiple of 60) starting at the
 * minute-aligned start, for minutes in [start, end). Periods without data have no datapoint,
 * as in CloudWatch. The result is in time order.
 */
export function rollup(minutes: readonly MinuteSet[], startMs: number, endMs: number, periodSeconds: number): PeriodSet[] {
  const from = alignStart(startMs);
  const periodMs = periodSeconds * 1000;
  const byPeriod = new Map<number, StatSet>();
  for (const { minute, set } of minutes) {
    const t = minute * MINUTE_MS;
    if (t < from || t >= endMs) continue;
    const start = from + Math.floor((t - from) / periodMs) * periodMs;
    const prior = byPeriod.get(start);
    byPeriod.set(start, prior ? mergeSets(prior, set) : mergeSets({ sum: 0, count: 0, min: Infinity, max: -Infinity }, set));
  }
  return [...byPeriod.entries()].sort(([a], [b]) => a - b).map(([start, set]) => ({ start, set }));
}
