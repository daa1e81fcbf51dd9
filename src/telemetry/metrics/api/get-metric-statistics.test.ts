import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { PrometheusState } from "../prometheus/state.js";
import { Recorder } from "../recording.js";
import { SecondRing } from "../second-ring.js";
import { MetricsStore } from "../store/metrics-store.js";
import { getMetricStatistics } from "./get-metric-statistics.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
const svc = { serviceName: "web", serviceId: "0123456789abcdef0123456789abcdef" };
const dims = [
  { Name: "ServiceID", Value: svc.serviceId },
  { Name: "ServiceName", Value: "web" },
];
const base = { Namespace: "AWS/AppRunner", MetricName: "Requests", Dimensions: dims, StartTime: T0, EndTime: T0 + 600, Period: 60, Statistics: ["Sum"] };

describe("GetMetricStatistics", () => {
  const store = MetricsStore.open(":memory:");
  const recorder = new Recorder(store, new SecondRing(), new PrometheusState());
  // Minute 0: 10 fast requests; minute 1: 10 slow ones; minute 5: 2 instances, then 4.
  recorder.recordRequests(svc, T0 + 5, { requests: 10, status2xx: 10, status4xx: 0, status5xx: 0, latenciesMs: Array.from({ length: 10 }, () => 10) });
  recorder.recordRequests(svc, T0 + 65, { requests: 10, status2xx: 9, status4xx: 0, status5xx: 1, latenciesMs: Array.from({ length: 10 }, () => 500) });
  recorder.recordActiveInstances(svc, T0 + 300, 2);
  recorder.recordActiveInstances(svc, T0 + 330, 4);
  recorder.recordInstance(svc, "i-1", T0 + 10, { cpuPercent: 30, memoryPercent: 70 });
  after(() => store.close());

  const points = (input: Record<string, unknown>): Record<string, unknown>[] =>
    getMetricStatistics(store, { ...base, ...input }).Datapoints as Record<string, unknown>[];

  it("rolls minutes up into periods, sorted by time, with the metric's unit", () => {
    assert.deepEqual(points({ Statistics: ["Sum", "SampleCount", "Average"] }), [
      { Timestamp: T0, Sum: 10, SampleCount: 1, Average: 10, Unit: "Count" },
      { Timestamp: T0 + 60, Sum: 10, SampleCount: 1, Average: 10, Unit: "Count" },
    ]);
    assert.deepEqual(points({ Period: 300, Statistics: ["Sum", "Maximum"] }), [{ Timestamp: T0, Sum: 20, Maximum: 10, Unit: "Count" }]);
    assert.deepEqual(points({ MetricName: "ActiveInstances", Period: 600, Statistics: ["Average", "Minimum", "Maximum"] }), [
      { Timestamp: T0, Average: 3, Minimum: 2, Maximum: 4, Unit: "Count" },
    ]);
    assert.deepEqual(getMetricStatistics(store, base).Label, "Requests");
  });

  it("computes latency percentiles across minutes", () => {
    const [whole] = points({ MetricName: "RequestLatency", Period: 120, Statistics: undefined, ExtendedStatistics: ["p25", "p90", "p100"] });
    const ext = whole?.ExtendedStatistics as Record<string, number>;
    assert.ok(Math.abs(ext.p25! - 10) < 0.5, `p25 ${ext.p25}`);
    assert.ok(Math.abs(ext.p90! - 500) < 25, `p90 ${ext.p90}`);
    assert.equal(ext.p100, 500);
    assert.equal(whole?.Unit, "Milliseconds");
  });

  it("answers nothing for metrics that were never published in that form", () => {
    const cases: Record<string, unknown>[] = [
      { Namespace: "AWS/EC2" },
      { MetricName: "Nope" },
      { Unit: "Seconds" },
      { Dimensions: dims.slice(0, 1) },
      { Dimensions: [...dims, { Name: "Instance", Value: "i-1" }] },
      { Dimensions: [dims[0], { Name: "ServiceName", Value: "other" }] },
      { MetricName: "CPUUtilization" },
      { StartTime: T0 + 120 },
    ];
    for (const c of cases) assert.deepEqual(points(c), [], JSON.stringify(c));
    assert.deepEqual(points({ MetricName: "CPUUtilization", Dimensions: [...dims, { Name: "Instance", Value: "i-1" }], Statistics: ["Average"] }), [
      { Timestamp: T0, Average: 30, Unit: "Percent" },
    ]);
  });

  it("refuses invalid requests with CloudWatch's errors", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ Namespace: undefined }, "CloudWatchMissingParameter", /^The parameter Namespace is required\.$/],
      [{ Period: undefined }, "CloudWatchMissingParameter", /Period is required/],
      [{ Period: 90 }, "CloudWatchInvalidParameterValue", /Period must be a multiple of 60\.$/],
      [{ Period: 10 }, "CloudWatchInvalidParameterValue", /standard resolution/],
      [{ EndTime: T0 }, "CloudWatchInvalidParameterValue", /StartTime must be less than the parameter EndTime/],
      [{ Statistics: undefined }, "CloudWatchInvalidParameterCombination", /Statistics and ExtendedStatistics/],
      [{ ExtendedStatistics: ["p99"] }, "CloudWatchInvalidParameterCombination", /mutually exclusive/],
      [{ Statistics: ["Median"] }, "CloudWatchInvalidParameterValue", /Statistics\.member\.1/],
      [{ Statistics: undefined, ExtendedStatistics: ["tm99"] }, "CloudWatchInvalidParameterValue", /tm99/],
      [{ Unit: "Parsecs" }, "CloudWatchInvalidParameterValue", /Unit/],
      [{ Dimensions: [dims[0], dims[0]] }, "CloudWatchInvalidParameterValue", /duplicate/],
      [{ Dimensions: [{ Name: "ServiceName" }] }, "CloudWatchMissingParameter", /Dimensions\.member\.1\.Value is required/],
      [{ StartTime: "yesterday" }, "CloudWatchInvalidParameterValue", /StartTime must be a timestamp/],
      [
        { EndTime: T0 + 86_460 },
        "CloudWatchInvalidParameterCombination",
        /^You have requested up to 1,441 datapoints, which exceeds the limit of 1,440\. You may reduce the datapoints requested by increasing Period, or decreasing the time range\.$/,
      ],
    ];
    for (const [change, code, message] of cases) {
      assert.throws(() => getMetricStatistics(store, { ...base, ...change }), { code, message }, JSON.stringify(change));
    }
    assert.equal(points({ EndTime: T0 + 86_400 }).length, 2, "exactly 1,440 datapoints is allowed");
  });
});
