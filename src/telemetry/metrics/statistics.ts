import { mergeInto, percentile, type Histogram } from "./histogram.js";

/** What is kept per metric per minute: a CloudWatch statistic set, plus a histogram for latency. */
export interface StatSet {
  sum: number;
  count: number;
  min: number;
  max: number;
  hist?: Histogram;
}

export const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type Statistic = (typeof STATISTICS)[number];

export const isStatistic = (s: string): s is Statistic => (STATISTICS as readonly string[]).includes(s);

export function mergeSets(into: StatSet, from: StatSet): StatSet {
  let hist = into.hist;
  if (from.hist) {
    hist = hist ?? new Map();
    mergeInto(hist, from.hist);
  }
  return {
    sum: into.sum + from.sum,
    count: into.count + from.count,
    min: Math.min(into.min, from.min),
    max: Math.max(into.max, from.max),
    ...(hist ? { hist } : {}),
  };
}

export function statisticValue(set: StatSet, stat: Statistic): number {
  switch (stat) {
    case "SampleCount":
      return set.count;
    case "Average":
      return set.count === 0 ? 0 : set.sum / set.count;
    case "Sum":
      return set.sum;
    case "Minimum":
      return set.min;
    case "Maximum":
      return set.max;
  }
}

/**
 * `p99`, `p99.9`, `p50` -> the percentile; anything else (trimmed means, `tm99`, `IQM`…) is not
 * supported and yields undefined. CloudWatch allows up to two decimals and 0..100.
 */
export function parsePercentile(name: string): number | undefined {
  const m = /^p(\d{1,3}(?:\.\d{1,2})?)$/.exec(name);
  if (!m?.[1]) return undefined;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

/** A percentile of the set; undefined when the metric keeps no histogram (only latency does). */
export const percentileValue = (set: StatSet, p: number): number | undefined =>
  set.hist ? percentile(set.hist, p, set.min, set.max) : undefined;
