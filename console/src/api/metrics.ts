import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { Service } from "@aws-sdk/client-apprunner";

export const RANGES = [
  { key: "1h", label: "1h", ms: 3600_000, period: 60 },
  { key: "3h", label: "3h", ms: 3 * 3600_000, period: 60 },
  { key: "12h", label: "12h", ms: 12 * 3600_000, period: 300 },
  { key: "1d", label: "1d", ms: 86_400_000, period: 300 },
  { key: "3d", label: "3d", ms: 3 * 86_400_000, period: 900 },
  { key: "1w", label: "1w", ms: 7 * 86_400_000, period: 3600 },
] as const;

export interface ChartSpec {
  metric: string;
  title: string;
  stat: "Sum" | "Average" | "Maximum";
  unit: string;
  /** CPU and memory are per instance (dimension Instance too): one line per instance. */
  perInstance?: boolean;
}

export const CHARTS: readonly ChartSpec[] = [
  { metric: "Requests", title: "Request count", stat: "Sum", unit: "requests" },
  { metric: "2xxStatusResponses", title: "2xx responses", stat: "Sum", unit: "responses" },
  { metric: "4xxStatusResponses", title: "4xx responses", stat: "Sum", unit: "responses" },
  { metric: "5xxStatusResponses", title: "5xx responses", stat: "Sum", unit: "responses" },
  { metric: "RequestLatency", title: "Request latency (average)", stat: "Average", unit: "ms" },
  { metric: "ActiveInstances", title: "Active instances", stat: "Maximum", unit: "instances" },
  { metric: "CPUUtilization", title: "CPU utilization", stat: "Average", unit: "%", perInstance: true },
  { metric: "MemoryUtilization", title: "Memory utilization", stat: "Average", unit: "%", perInstance: true },
];

export interface Series {
  label: string;
  points: { t: number; v: number }[];
}

/** One GetMetricData call for every chart of the dashboard (instance metrics found by ListMetrics first). */
export async function loadCharts(client: CloudWatchClient, s: Service, rangeMs: number, period: number): Promise<Record<string, Series[]>> {
  const dims = [
    { Name: "ServiceName", Value: s.ServiceName ?? "" },
    { Name: "ServiceID", Value: s.ServiceId ?? "" },
  ];
  const queries: MetricDataQuery[] = [];
  const owner = new Map<string, { metric: string; label: string }>();
  for (const c of CHARTS) {
    const dimensionSets = c.perInstance ? await instanceDimensions(client, c.metric, dims) : [dims];
    for (const d of dimensionSets.slice(0, 10)) {
      const id = `m${queries.length}`;
      const instance = d.find((x) => x.Name === "Instance")?.Value;
      owner.set(id, { metric: c.metric, label: instance ? `instance ${instance.slice(0, 8)}` : c.title });
      queries.push({ Id: id, MetricStat: { Metric: { Namespace: "AWS/AppRunner", MetricName: c.metric, Dimensions: d }, Period: period, Stat: c.stat } });
    }
  }
  const end = new Date();
  const out = await client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(end.getTime() - rangeMs), EndTime: end }));
  const charts: Record<string, Series[]> = {};
  for (const r of out.MetricDataResults ?? []) {
    const o = owner.get(r.Id ?? "");
    if (!o) continue;
    const points = (r.Timestamps ?? []).map((t, i) => ({ t: t.getTime(), v: r.Values?.[i] ?? 0 })).sort((a, b) => a.t - b.t);
    (charts[o.metric] ??= []).push({ label: o.label, points });
  }
  return charts;
}

async function instanceDimensions(client: CloudWatchClient, metric: string, dims: { Name: string; Value: string }[]): Promise<{ Name: string; Value: string }[][]> {
  const out = await client.send(new ListMetricsCommand({ Namespace: "AWS/AppRunner", MetricName: metric, Dimensions: dims }));
  return (out.Metrics ?? [])
    .map((m) => (m.Dimensions ?? []).map((d) => ({ Name: d.Name ?? "", Value: d.Value ?? "" })))
    .filter((d) => d.some((x) => x.Name === "Instance"));
}
