/**
 * The metrics App Runner publishes to CloudWatch (developer guide, "Viewing App Runner service
 * metrics reported to CloudWatch", with the February 2023 additions: Concurrency, and
 * CPUUtilization and MemoryUtilization for the whole service): service-level ones with the
 * dimensions ServiceName and ServiceID, instance-level ones with Instance as well. All are
 * standard resolution (minutes).
 */
export const NAMESPACE = "AWS/AppRunner";

export type MetricName =
  | "Requests"
  | "2xxStatusResponses"
  | "4xxStatusResponses"
  | "5xxStatusResponses"
  | "RequestLatency"
  | "ActiveInstances"
  | "CPUUtilization"
  | "MemoryUtilization"
  | "Concurrency";

export type MetricLevel = "service" | "instance";

/**
 * How a metric's minute is made from what the data plane reports. `counter`: one sample per
 * minute, the minute's total (so Sum is the count, SampleCount the minutes with data, Average
 * the mean per minute). `gauge`: every report is a sample. `latency`: every request is a
 * sample and a histogram is kept, so percentiles can be asked for.
 */
export type MetricKind = "counter" | "gauge" | "latency";

export interface MetricInfo {
  name: MetricName;
  /** The levels it is published at: CPU and memory per instance, and aggregated for the service. */
  levels: readonly MetricLevel[];
  kind: MetricKind;
  unit: "Count" | "Milliseconds" | "Percent";
}

export const METRICS: readonly MetricInfo[] = [
  { name: "Requests", levels: ["service"], kind: "counter", unit: "Count" },
  { name: "2xxStatusResponses", levels: ["service"], kind: "counter", unit: "Count" },
  { name: "4xxStatusResponses", levels: ["service"], kind: "counter", unit: "Count" },
  { name: "5xxStatusResponses", levels: ["service"], kind: "counter", unit: "Count" },
  { name: "RequestLatency", levels: ["service"], kind: "latency", unit: "Milliseconds" },
  { name: "ActiveInstances", levels: ["service"], kind: "gauge", unit: "Count" },
  { name: "CPUUtilization", levels: ["instance", "service"], kind: "gauge", unit: "Percent" },
  { name: "MemoryUtilization", levels: ["instance", "service"], kind: "gauge", unit: "Percent" },
  /** Requests being handled by the service's instances at each sample. */
  { name: "Concurrency", levels: ["service"], kind: "gauge", unit: "Count" },
];

const BY_NAME = new Map<string, MetricInfo>(METRICS.map((m) => [m.name, m]));

export const metricInfo = (name: string): MetricInfo | undefined => BY_NAME.get(name);

export const DIMENSION_SERVICE_NAME = "ServiceName";
export const DIMENSION_SERVICE_ID = "ServiceID";
export const DIMENSION_INSTANCE = "Instance";

/** The exact dimension names a metric of this level is published with (CloudWatch matches sets exactly). */
export function dimensionNames(level: MetricLevel): readonly string[] {
  return level === "service"
    ? [DIMENSION_SERVICE_NAME, DIMENSION_SERVICE_ID]
    : [DIMENSION_SERVICE_NAME, DIMENSION_SERVICE_ID, DIMENSION_INSTANCE];
}

/** The level a set of dimension names asks for, if the metric is published at it with exactly those. */
export function levelOf(info: MetricInfo, names: ReadonlySet<string>): MetricLevel | undefined {
  return info.levels.find((level) => {
    const wanted = dimensionNames(level);
    return names.size === wanted.length && wanted.every((n) => names.has(n));
  });
}

/** Which service (and instance) a series belongs to. */
export interface ServiceRef {
  serviceName: string;
  serviceId: string;
}
