import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../../util/clock.js";
import { counterMerge } from "../recording.js";
import { MetricsStore } from "../store/metrics-store.js";
import { listMetrics, PAGE_SIZE } from "./list-metrics.js";

describe("ListMetrics paging", () => {
  it("returns 500 metrics a page and a token that only this listing accepts", () => {
    const store = MetricsStore.open(":memory:");
    const now = Date.UTC(2026, 0, 1, 12);
    const minute = now / 60_000 - 1;
    for (let s = 0; s < 120; s++) {
      const key = { serviceName: `svc-${String(s).padStart(3, "0")}`, serviceId: String(s).padStart(32, "0"), instance: "" };
      store.record(key, minute, ["Requests", "2xxStatusResponses", "4xxStatusResponses", "5xxStatusResponses", "ActiveInstances"].map((metric) => ({ metric, merge: counterMerge(1) })));
    }
    const clock = new ManualClock(now);
    const first = listMetrics(store, clock, {});
    assert.equal((first.Metrics as unknown[]).length, PAGE_SIZE);
    assert.equal(typeof first.NextToken, "string");
    const second = listMetrics(store, clock, { NextToken: first.NextToken });
    assert.equal((second.Metrics as unknown[]).length, 100);
    assert.equal(second.NextToken, undefined);
    const names = (out: Record<string, unknown>): string[] => (out.Metrics as { Dimensions: { Value: string }[]; MetricName: string }[]).map((m) => `${m.Dimensions[0]?.Value}:${m.MetricName}`);
    assert.equal(new Set([...names(first), ...names(second)]).size, 600, "no metric twice, none left out");
    assert.throws(() => listMetrics(store, clock, { MetricName: "Requests", NextToken: first.NextToken }), { code: "CloudWatchInvalidNextToken" });
    store.close();
  });
});
