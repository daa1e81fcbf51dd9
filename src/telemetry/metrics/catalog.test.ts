import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { levelOf, metricInfo, type MetricLevel } from "./catalog.js";

describe("the metric catalog", () => {
  it("tells the level a set of dimensions asks for, as App Runner publishes each metric", () => {
    const service = ["ServiceName", "ServiceID"];
    const instance = [...service, "Instance"];
    const cases: [string, string[], MetricLevel | undefined][] = [
      ["Requests", service, "service"],
      ["Requests", instance, undefined],
      ["CPUUtilization", instance, "instance"],
      ["CPUUtilization", service, "service"],
      ["MemoryUtilization", service, "service"],
      ["Concurrency", service, "service"],
      ["Concurrency", instance, undefined],
      ["CPUUtilization", ["ServiceID"], undefined],
      ["CPUUtilization", [...instance, "Extra"], undefined],
    ];
    for (const [name, dims, want] of cases) {
      const info = metricInfo(name);
      assert.ok(info, name);
      assert.equal(levelOf(info, new Set(dims)), want, `${name} with ${dims.join(",")}`);
    }
  });
});
