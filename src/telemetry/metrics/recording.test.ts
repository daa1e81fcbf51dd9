import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { PrometheusState } from "./prometheus/state.js";
import { counterMerge, latencySet, Recorder, sampleMerge } from "./recording.js";
import { SecondRing } from "./second-ring.js";
import { MetricsStore } from "./store/metrics-store.js";

const svc = { serviceName: "web", serviceId: "0123456789abcdef0123456789abcdef" };
const SECOND = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
const MINUTE = SECOND / 60;

describe("minute merges", () => {
  it("keeps counters as one sample per minute holding the minute's total", () => {
    const once = counterMerge(3)(undefined);
    const twice = counterMerge(4)(once);
    assert.deepEqual(twice, { sum: 7, count: 1, min: 7, max: 7 });
  });

  it("adds gauge and latency samples to the minute's statistic set", () => {
    const a = latencySet([10, 30]);
    const b = latencySet([5]);
    assert.ok(a && b);
    const merged = sampleMerge(b)(sampleMerge(a)(undefined));
    assert.equal(merged.sum, 45);
    assert.equal(merged.count, 3);
    assert.equal(merged.min, 5);
    assert.equal(merged.max, 30);
    assert.equal([...(merged.hist?.values() ?? [])].reduce((x, y) => x + y, 0), 3);
    assert.equal(latencySet([]), undefined);
  });
});

describe("the recorder", () => {
  const store = MetricsStore.open(":memory:");
  const prometheus = new PrometheusState();
  const recorder = new Recorder(store, new SecondRing(), prometheus);
  after(() => store.close());

  it("stores each second's report in its minute, per metric", () => {
    recorder.recordRequests(svc, SECOND, { requests: 3, status2xx: 2, status4xx: 1, status5xx: 0, latenciesMs: [10, 20, 30] });
    recorder.recordRequests(svc, SECOND + 59, { requests: 1, status2xx: 0, status4xx: 0, status5xx: 1, latenciesMs: [1000] });
    recorder.recordRequests(svc, SECOND + 60, { requests: 5, status2xx: 5, status4xx: 0, status5xx: 0, latenciesMs: [] });
    const series = store.findSeries(svc.serviceId, "");
    assert.ok(series);
    const sums = (metric: string): number[] => store.readMinutes(series.id, metric, MINUTE, MINUTE + 2).map((m) => m.set.sum);
    assert.deepEqual(sums("Requests"), [4, 5]);
    assert.deepEqual(sums("2xxStatusResponses"), [2, 5]);
    assert.deepEqual(sums("5xxStatusResponses"), [1, 0], "zero counts are stored, so a quiet minute reads 0, not nothing");
    const latency = store.readMinutes(series.id, "RequestLatency", MINUTE, MINUTE + 2);
    assert.deepEqual(latency.map((m) => [m.minute - MINUTE, m.set.count, m.set.min, m.set.max]), [[0, 4, 10, 1000]]);
  });

  it("keeps instance usage in a series of its own", () => {
    recorder.recordInstance(svc, "inst-1", SECOND, { cpuPercent: 20, memoryPercent: 50 });
    recorder.recordInstance(svc, "inst-1", SECOND + 30, { cpuPercent: 40, memoryPercent: 60 });
    const series = store.findSeries(svc.serviceId, "inst-1");
    assert.ok(series);
    const [cpu] = store.readMinutes(series.id, "CPUUtilization", MINUTE, MINUTE + 1);
    assert.deepEqual(cpu?.set, { sum: 60, count: 2, min: 20, max: 40 });
    assert.deepEqual(
      store.listMetrics(0).map((m) => `${m.instance || "-"}:${m.metric}`),
      ["-:2xxStatusResponses", "-:4xxStatusResponses", "-:5xxStatusResponses", "-:RequestLatency", "-:Requests", "inst-1:CPUUtilization", "inst-1:MemoryUtilization"],
    );
  });

  it("keeps the last seconds in memory for the autoscaler", () => {
    recorder.recordActiveInstances(svc, SECOND + 60, 2);
    recorder.recordRequests(svc, SECOND + 60, { requests: 2, status2xx: 2, status4xx: 0, status5xx: 0, latenciesMs: [4, 6], maxConcurrency: 7 });
    const recent = recorder.recentSeconds(svc.serviceId, SECOND + 60, 61);
    assert.deepEqual(
      recent.map((s) => [s.second - SECOND, s.requests, s.latencyCount, s.maxConcurrency, s.activeInstances]),
      [
        [0, 3, 3, 0, undefined],
        [59, 1, 1, 0, undefined],
        [60, 7, 2, 7, 2],
      ],
    );
    assert.deepEqual(recorder.recentSeconds(svc.serviceId, SECOND + 60, 1).length, 1);
    assert.deepEqual(recorder.recentSeconds("other", SECOND, 60), []);
  });

  it("refuses numbers that would poison stored minutes", () => {
    const bad = [
      () => recorder.recordRequests(svc, SECOND, { requests: -1, status2xx: 0, status4xx: 0, status5xx: 0, latenciesMs: [] }),
      () => recorder.recordRequests(svc, SECOND, { requests: 1, status2xx: 1, status4xx: 0, status5xx: 0, latenciesMs: [Number.NaN] }),
      () => recorder.recordInstance(svc, "i", SECOND, { cpuPercent: Infinity, memoryPercent: 1 }),
      () => recorder.recordInstance(svc, "", SECOND, { cpuPercent: 1, memoryPercent: 1 }),
      () => recorder.recordActiveInstances(svc, Number.NaN, 1),
    ];
    for (const call of bad) assert.throws(call, { name: "AppRunnerError", code: "InvalidRequest" });
  });

  it("feeds the Prometheus counters", () => {
    const c = prometheus.services.get(svc.serviceId);
    assert.equal(c?.requests, 11);
    assert.deepEqual(c?.responses, { "2xx": 9, "4xx": 1, "5xx": 1 });
    assert.equal(c?.latencyCount, 6);
    assert.equal(c?.activeInstances, 2);
  });
});
