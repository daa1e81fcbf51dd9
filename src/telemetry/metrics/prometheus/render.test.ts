import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeLabel, formatValue, renderPrometheus, type ProcessFacts } from "./render.js";
import { PrometheusState } from "./state.js";

const facts: ProcessFacts = { cpuUserSeconds: 1.5, cpuSystemSeconds: 0.5, residentBytes: 1000, heapUsedBytes: 10, heapTotalBytes: 20, startTimeSeconds: 1767225600 };
const svc = { serviceName: 'we"b', serviceId: "abc" };

describe("Prometheus exposition", () => {
  it("escapes label values and formats special numbers", () => {
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.deepEqual([Infinity, -Infinity, NaN, 0.25, 3].map(formatValue), ["+Inf", "-Inf", "NaN", "0.25", "3"]);
  });

  it("renders counters, a cumulative latency histogram, gauges and process metrics", () => {
    const state = new PrometheusState();
    state.onRequests(svc, { requests: 3, status2xx: 2, status4xx: 0, status5xx: 1, latenciesMs: [4, 40, 20_000] });
    state.onActiveInstances(svc, 2);
    state.onConcurrency(svc, 7);
    state.onInstance(svc, "i-1", 100, { cpuPercent: 12.5, memoryPercent: 40 });
    state.onInstance(svc, "i-old", 10, { cpuPercent: 1, memoryPercent: 1 });
    state.onApiCall("monitoring", "ListMetrics", "");
    state.onApiCall("monitoring", "ListMetrics", "");
    const text = renderPrometheus(state, facts, 50);
    const lines = text.split("\n");
    const has = (line: string): void => assert.ok(lines.includes(line), `missing: ${line}\n${text}`);
    const labels = 'service_name="we\\"b",service_id="abc"';
    has("# TYPE openrunner_requests_total counter");
    has(`openrunner_requests_total{${labels}} 3`);
    has(`openrunner_responses_total{${labels},code="5xx"} 1`);
    has("# TYPE openrunner_request_latency_seconds histogram");
    has(`openrunner_request_latency_seconds_bucket{${labels},le="0.005"} 1`);
    has(`openrunner_request_latency_seconds_bucket{${labels},le="0.025"} 1`);
    has(`openrunner_request_latency_seconds_bucket{${labels},le="0.05"} 2`);
    has(`openrunner_request_latency_seconds_bucket{${labels},le="10"} 2`);
    has(`openrunner_request_latency_seconds_bucket{${labels},le="+Inf"} 3`);
    has(`openrunner_request_latency_seconds_sum{${labels}} 20.044`);
    has(`openrunner_request_latency_seconds_count{${labels}} 3`);
    has(`openrunner_active_instances{${labels}} 2`);
    has(`openrunner_concurrency{${labels}} 7`);
    has(`openrunner_instance_cpu_utilization_percent{${labels},instance="i-1"} 12.5`);
    assert.ok(!text.includes("i-old"), "an instance silent since before the cut-off is left out");
    has('openrunner_api_calls_total{api="monitoring",operation="ListMetrics",error=""} 2');
    has("process_cpu_seconds_total 2");
    has("process_resident_memory_bytes 1000");
    assert.ok(text.endsWith("\n"));
    for (const line of lines.filter((l) => l && !l.startsWith("#"))) {
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$/, line);
    }
  });
});
