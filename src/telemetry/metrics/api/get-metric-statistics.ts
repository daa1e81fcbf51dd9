import { isStatistic, parsePercentile, percentileValue, statisticValue } from "../statistics.js";
import { periodCount } from "../rollup.js";
import type { MetricsStore } from "../store/metrics-store.js";
import { invalidCombination, invalidValue } from "./errors.js";
import { checkDistinctDimensions, checkPeriod, readSeries, timeRange, type Dimension } from "./series.js";
import { GET_METRIC_STATISTICS_INPUT } from "./shapes.js";
import { checkShape } from "./validate.js";

export interface GetMetricStatisticsInput {
  Namespace: string;
  MetricName: string;
  Dimensions?: Dimension[];
  /** Epoch seconds, as in the JSON protocol. */
  StartTime: number;
  EndTime: number;
  Period: number;
  Statistics?: string[];
  ExtendedStatistics?: string[];
  Unit?: string;
}

/** AWS's limit for one GetMetricStatistics call. */
export const MAX_DATAPOINTS = 1440;

export function getMetricStatistics(store: MetricsStore, raw: Record<string, unknown>): Record<string, unknown> {
  checkShape(raw, GET_METRIC_STATISTICS_INPUT, "");
  const input = raw as unknown as GetMetricStatisticsInput;
  const statistics = (input.Statistics ?? []).filter(isStatistic);
  const extended = input.ExtendedStatistics ?? [];
  if (statistics.length === 0 && extended.length === 0) {
    throw invalidCombination("At least one of the parameters Statistics and ExtendedStatistics must be specified.");
  }
  if (statistics.length > 0 && extended.length > 0) {
    throw invalidCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive; specify one of them.");
  }
  const percentiles = extended.map((name, i) => {
    const p = parsePercentile(name);
    if (p === undefined) {
      throw invalidValue(
        `The value ${name} for parameter ExtendedStatistics.member.${i + 1} is not supported: use a percentile p0 to p100 (for example p99 or p99.9).`,
      );
    }
    return { name, p };
  });
  checkPeriod(input.Period, "Period");
  checkDistinctDimensions(input.Dimensions, "Dimensions");
  const range = timeRange(input.StartTime, input.EndTime);
  const requested = periodCount(range.startMs, range.endMs, input.Period);
  if (requested > MAX_DATAPOINTS) {
    throw invalidCombination(
      `You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of 1,440. ` +
        "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
    );
  }
  const { info, periods } = readSeries(store, input, input.Unit, range, input.Period);
  const datapoints = periods.map(({ start, set }) => {
    const point: Record<string, unknown> = { Timestamp: start / 1000 };
    for (const stat of statistics) point[stat] = statisticValue(set, stat);
    if (percentiles.length > 0) {
      // Only RequestLatency keeps a histogram; other metrics have no percentiles to give.
      const values = Object.fromEntries(percentiles.map(({ name, p }) => [name, percentileValue(set, p)]).filter(([, v]) => v !== undefined));
      if (Object.keys(values).length > 0) point.ExtendedStatistics = values;
    }
    point.Unit = info?.unit ?? "None";
    return point;
  });
  return { Label: input.MetricName, Datapoints: datapoints };
}
