import { levelOf, metricInfo, NAMESPACE, DIMENSION_INSTANCE, DIMENSION_SERVICE_ID, DIMENSION_SERVICE_NAME, type MetricInfo } from "../catalog.js";
import { alignStart, rollup, type PeriodSet } from "../rollup.js";
import type { MetricsStore } from "../store/metrics-store.js";
import { invalidValue } from "./errors.js";

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricSpec {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
}

const MINUTE_MS = 60_000;

/**
 * OpenRunner keeps App Runner's metrics at one-minute resolution, as AWS does (they are not
 * high-resolution metrics), so a period must be a whole number of minutes. Decision: 1, 5, 10
 * and 30, valid on AWS for high-resolution custom metrics, are rejected rather than answered
 * with minute data under a period that claims otherwise.
 */
export function checkPeriod(period: number, path: string): void {
  if (period < 60 || period % 60 !== 0) {
    const why = [1, 5, 10, 30].includes(period) ? " (App Runner metrics are standard resolution: one-minute data)" : "";
    throw invalidValue(`The parameter ${path} must be a multiple of 60${why}.`);
  }
}

/** Epoch seconds (the JSON form) to an [start, end) range in milliseconds. */
export function timeRange(startSeconds: number, endSeconds: number): { startMs: number; endMs: number } {
  const startMs = Math.round(startSeconds * 1000);
  const endMs = Math.round(endSeconds * 1000);
  if (startMs >= endMs) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  return { startMs, endMs };
}

export function checkDistinctDimensions(dimensions: readonly { Name: string }[] | undefined, path: string): void {
  const seen = new Set<string>();
  for (const d of dimensions ?? []) {
    if (seen.has(d.Name)) throw invalidValue(`The collection ${path} must not contain duplicate dimension names (${d.Name}).`);
    seen.add(d.Name);
  }
}

export interface SeriesData {
  info: MetricInfo | undefined;
  periods: PeriodSet[];
}

/**
 * One metric's periods. As on CloudWatch, a metric is its namespace, name and exact set of
 * dimensions (and unit, when given): anything that was never published is simply empty.
 */
export function readSeries(
  store: MetricsStore,
  spec: MetricSpec,
  unit: string | undefined,
  range: { startMs: number; endMs: number },
  periodSeconds: number,
): SeriesData {
  const info = metricInfo(spec.MetricName ?? "");
  const none = { info, periods: [] };
  if (spec.Namespace !== NAMESPACE || !info || (unit !== undefined && unit !== info.unit)) return none;
  const given = new Map((spec.Dimensions ?? []).map((d) => [d.Name, d.Value]));
  const level = levelOf(info, new Set(given.keys()));
  if (level === undefined) return none;
  const instance = level === "instance" ? (given.get(DIMENSION_INSTANCE) ?? "") : "";
  // The service's own series is stored as instance "": an empty Instance must not read it.
  if (level === "instance" && instance === "") return none;
  const series = store.findSeries(given.get(DIMENSION_SERVICE_ID) ?? "", instance);
  if (!series || series.serviceName !== given.get(DIMENSION_SERVICE_NAME)) return none;
  const fromMinute = alignStart(range.startMs) / MINUTE_MS;
  const toMinute = Math.ceil(range.endMs / MINUTE_MS);
  const minutes = store.readMinutes(series.id, info.name, fromMinute, toMinute);
  return { info, periods: rollup(minutes, range.startMs, range.endMs, periodSeconds) };
}
