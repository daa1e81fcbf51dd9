import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ManualClock } from "../../../util/clock.js";
import { PrometheusState } from "../prometheus/state.js";
import { Recorder } from "../recording.js";
import { SecondRing } from "../second-ring.js";
import { MetricsStore } from "../store/metrics-store.js";
import { getMetricData } from "./get-metric-data.js";
import { listMetrics } from "./list-metrics.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
const svc = { serviceName: "web", serviceId: "0123456789abcdef0123456789abcdef" };
const metric = (name: string, extra: { Name: string; Value: string }[] = []): Record<string, unknown> => ({
  Namespace: "AWS/AppRunner",
  MetricName: name,
  Dimensions: [{ Name: "ServiceName", Value: "web" }, { Name: "ServiceID", Value: svc.serviceId }, ...extra],
});
const query = (id: string, name: string, stat = "Sum", more: Record<string, unknown> = {}): Record<string, unknown> => ({
  Id: id,
  MetricStat: { Metric: metric(name), Period: 60, Stat: stat },
  ...more,
});

describe("GetMetricData and ListMetrics", () => {
  const store = MetricsStore.open(":memory:");
  const recorder = new Recorder(store, new SecondRing(), new PrometheusState());
  for (let m = 0; m < 5; m++) {
    recorder.recordRequests(svc, T0 + m * 60, { requests: m + 1, status2xx: m + 1, status4xx: 0, status5xx: 0, latenciesMs: [100 * (m + 1)] });
  }
  recorder.recordInstance(svc, "i-1", T0, { cpuPercent: 5, memoryPercent: 6 });
  recorder.recordInstance({ serviceName: "api", serviceId: "f".repeat(32) }, "i-2", T0, { cpuPercent: 5, memoryPercent: 6 });
  after(() => store.close());
  const range = { StartTime: T0, EndTime: T0 + 300 };
  const results = (out: Record<string, unknown>): Record<string, unknown>[] => out.MetricDataResults as Record<string, unknown>[];

  it("answers each query newest first by default, with the metric name as label", () => {
    const out = getMetricData(store, { MetricDataQueries: [query("req", "Requests"), query("lat", "RequestLatency", "Maximum", { Label: "slowest" })], ...range });
    assert.deepEqual(results(out), [
      { Id: "req", Label: "Requests", Timestamps: [4, 3, 2, 1, 0].map((m) => T0 + m * 60), Values: [5, 4, 3, 2, 1], StatusCode: "Complete", Messages: [] },
      { Id: "lat", Label: "slowest", Timestamps: [4, 3, 2, 1, 0].map((m) => T0 + m * 60), Values: [500, 400, 300, 200, 100], StatusCode: "Complete", Messages: [] },
    ]);
    assert.equal(out.NextToken, undefined);
  });

  it("pages by MaxDatapoints across queries, oldest first when asked, and leaves ReturnData=false out", () => {
    const input = {
      MetricDataQueries: [query("a", "Requests"), query("hidden", "Requests", "Sum", { ReturnData: false }), query("b", "2xxStatusResponses", "Average")],
      ...range,
      ScanBy: "TimestampAscending",
      MaxDatapoints: 4,
    };
    const seen: Record<string, number[]> = { a: [], b: [] };
    const statuses: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = getMetricData(store, { ...input, ...(token ? { NextToken: token } : {}) });
      for (const r of results(out)) {
        seen[r.Id as string]?.push(...(r.Values as number[]));
        statuses.push(`${String(r.Id)}:${String(r.StatusCode)}`);
      }
      token = out.NextToken as string | undefined;
      pages++;
    } while (token && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, { a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5] });
    assert.deepEqual(statuses, ["a:PartialData", "b:PartialData", "a:Complete", "b:PartialData", "a:Complete", "b:Complete"]);
  });

  it("refuses expressions, bad ids, stats and tokens clearly", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ MetricDataQueries: [{ Id: "e", Expression: "SUM(METRICS())" }] }, "CloudWatchInvalidParameterValue", /expressions are not supported/],
      [{ MetricDataQueries: [{ ...query("e", "Requests"), Expression: "x" }] }, "CloudWatchInvalidParameterCombination", /mutually exclusive/],
      [{ MetricDataQueries: [{ Id: "e" }] }, "CloudWatchInvalidParameterCombination", /MetricStat or Expression/],
      [{ MetricDataQueries: [query("Bad", "Requests")] }, "CloudWatchInvalidParameterValue", /lowercase letter/],
      [{ MetricDataQueries: [query("a", "Requests"), query("a", "Requests")] }, "CloudWatchInvalidParameterValue", /unique/],
      [{ MetricDataQueries: [query("a", "Requests", "IQM")] }, "CloudWatchInvalidParameterValue", /IQM/],
      [{ MetricDataQueries: [] }, "CloudWatchInvalidParameterValue", /must not be empty/],
      [{ MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric("Requests"), Period: 45, Stat: "Sum" } }] }, "CloudWatchInvalidParameterValue", /MetricDataQueries\.member\.1\.MetricStat\.Period must be a multiple of 60/],
      [{ MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric("Requests"), Stat: "Sum" } }] }, "CloudWatchMissingParameter", /MetricDataQueries\.member\.1\.MetricStat\.Period is required/],
      [{ MetricDataQueries: [query("a", "Requests")], NextToken: "garbage" }, "CloudWatchInvalidNextToken", /NextToken/],
      [{ MetricDataQueries: [query("a", "Requests")], StartTime: undefined }, "CloudWatchMissingParameter", /StartTime is required/],
    ];
    for (const [input, code, message] of cases) {
      assert.throws(() => getMetricData(store, { ...range, ...input }), { code, message }, JSON.stringify(input));
    }
    const first = getMetricData(store, { MetricDataQueries: [query("a", "Requests")], ...range, MaxDatapoints: 1 });
    assert.throws(() => getMetricData(store, { MetricDataQueries: [query("b", "Requests")], ...range, MaxDatapoints: 1, NextToken: first.NextToken }), {
      code: "CloudWatchInvalidNextToken",
    });
  });

  it("lists metrics by namespace, name and dimension filters", () => {
    const clock = new ManualClock((T0 + 600) * 1000);
    const names = (input: Record<string, unknown>): string[] =>
      ((listMetrics(store, clock, input).Metrics as { MetricName: string; Dimensions: { Name: string; Value: string }[] }[]) ?? []).map(
        (m) => `${m.Dimensions.map((d) => d.Value).join("/")}:${m.MetricName}`,
      );
    assert.equal(names({}).length, 9);
    assert.deepEqual(names({ Namespace: "AWS/Lambda" }), []);
    assert.deepEqual(names({ MetricName: "CPUUtilization" }), [`api/${"f".repeat(32)}/i-2:CPUUtilization`, `web/${svc.serviceId}/i-1:CPUUtilization`]);
    assert.deepEqual(names({ Dimensions: [{ Name: "Instance", Value: "i-1" }] }), [`web/${svc.serviceId}/i-1:CPUUtilization`, `web/${svc.serviceId}/i-1:MemoryUtilization`]);
    assert.equal(names({ Dimensions: [{ Name: "ServiceName", Value: "web" }] }).length, 7);
    assert.deepEqual(names({ RecentlyActive: "PT3H", MetricName: "Requests" }), [`web/${svc.serviceId}:Requests`]);
    clock.advance(4 * 3600 * 1000);
    assert.deepEqual(names({ RecentlyActive: "PT3H" }), []);
    assert.throws(() => listMetrics(store, clock, { NextToken: "x" }), { code: "CloudWatchInvalidNextToken" });
    assert.throws(() => listMetrics(store, clock, { RecentlyActive: "PT1H" }), { code: "CloudWatchInvalidParameterValue" });
  });
});
