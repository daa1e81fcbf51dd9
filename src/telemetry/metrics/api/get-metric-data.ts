import { isStatistic, parsePercentile, percentileValue, statisticValue, type StatSet } from "../statistics.js";
import type { MetricsStore } from "../store/metrics-store.js";
import { invalidCombination, invalidValue } from "./errors.js";
import { checkDistinctDimensions, checkPeriod, readSeries, timeRange, type MetricSpec } from "./series.js";
import { GET_METRIC_DATA_INPUT } from "./shapes.js";
import { decodeToken, encodeToken, fingerprint } from "./tokens.js";
import { checkShape } from "./validate.js";

interface MetricDataQuery {
  Id: string;
  MetricStat?: { Metric: MetricSpec; Period: number; Stat: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
}

export interface GetMetricDataInput {
  MetricDataQueries: MetricDataQuery[];
  StartTime: number;
  EndTime: number;
  NextToken?: string;
  ScanBy?: "TimestampDescending" | "TimestampAscending";
  MaxDatapoints?: number;
}

/** AWS's default page size (and the most one call returns). */
export const DEFAULT_MAX_DATAPOINTS = 100_800;
export const MAX_QUERIES = 500;

const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

/** One statistic of a set: a CloudWatch statistic or a percentile (undefined when unavailable). */
export function statOf(stat: string, path: string): (set: StatSet) => number | undefined {
  if (isStatistic(stat)) return (set) => statisticValue(set, stat);
  const p = parsePercentile(stat);
  if (p === undefined) {
    throw invalidValue(`The value ${stat} for parameter ${path} is not supported: use SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99.`);
  }
  return (set) => percentileValue(set, p);
}

function checkQuery(q: MetricDataQuery, path: string): NonNullable<MetricDataQuery["MetricStat"]> {
  if (!ID_PATTERN.test(q.Id)) {
    throw invalidValue(`The value ${q.Id} for parameter ${path}.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
  }
  if (q.MetricStat && q.Expression !== undefined) {
    throw invalidCombination(`The parameters ${path}.MetricStat and ${path}.Expression are mutually exclusive.`);
  }
  if (q.Expression !== undefined) {
    // Decision: metric math and Metrics Insights are a language of their own; refusing clearly beats answering wrongly.
    throw invalidValue(`${path}.Expression: metric math and Metrics Insights expressions are not supported by OpenRunner; request each metric with MetricStat.`);
  }
  if (!q.MetricStat) throw invalidCombination(`${path} must specify either MetricStat or Expression.`);
  checkPeriod(q.MetricStat.Period, `${path}.MetricStat.Period`);
  checkDistinctDimensions(q.MetricStat.Metric.Dimensions, `${path}.MetricStat.Metric.Dimensions`);
  return q.MetricStat;
}

export function getMetricData(store: MetricsStore, raw: Record<string, unknown>): Record<string, unknown> {
  checkShape(raw, GET_METRIC_DATA_INPUT, "");
  const input = raw as unknown as GetMetricDataInput;
  if (input.MetricDataQueries.length === 0) throw invalidValue("The collection MetricDataQueries must not be empty.");
  if (input.MetricDataQueries.length > MAX_QUERIES) {
    throw invalidValue(`The collection MetricDataQueries must not have more than ${MAX_QUERIES} members.`);
  }
  const ids = new Set<string>();
  const plans = input.MetricDataQueries.map((q, i) => {
    const path = `MetricDataQueries.member.${i + 1}`;
    if (ids.has(q.Id)) throw invalidValue(`The value ${q.Id} for parameter ${path}.Id is used by more than one query; ids must be unique.`);
    ids.add(q.Id);
    const stat = checkQuery(q, path);
    return { q, stat, value: statOf(stat.Stat, `${path}.MetricStat.Stat`) };
  });
  const maxPoints = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
  if (maxPoints < 1) throw invalidValue("The parameter MaxDatapoints must be at least 1.");
  const range = timeRange(input.StartTime, input.EndTime);
  const descending = (input.ScanBy ?? "TimestampDescending") === "TimestampDescending";
  const print = fingerprint([input.MetricDataQueries, input.StartTime, input.EndTime, descending, maxPoints]);
  const offset = decodeToken(input.NextToken, print);

  // Every returned query's points in order, then one page of them by a global offset.
  const series = plans
    .filter(({ q }) => q.ReturnData !== false)
    .map(({ q, stat, value }) => {
      const { periods } = readSeries(store, stat.Metric, stat.Unit, range, stat.Period);
      const points = periods.flatMap(({ start, set }) => {
        const v = value(set);
        return v === undefined ? [] : [{ t: start / 1000, v }];
      });
      if (descending) points.reverse();
      return { q, stat, points };
    });
  const total = series.reduce((n, s) => n + s.points.length, 0);
  const end = Math.min(offset + maxPoints, total);
  let before = 0;
  const results = series.map(({ q, stat, points }) => {
    const from = Math.max(offset - before, 0);
    const to = Math.max(Math.min(end - before, points.length), from);
    before += points.length;
    const page = points.slice(from, to);
    return {
      Id: q.Id,
      Label: q.Label ?? stat.Metric.MetricName ?? q.Id,
      Timestamps: page.map((p) => p.t),
      Values: page.map((p) => p.v),
      StatusCode: to < points.length ? "PartialData" : "Complete",
      Messages: [],
    };
  });
  return { MetricDataResults: results, Messages: [], ...(end < total ? { NextToken: encodeToken(end, print) } : {}) };
}
