import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { usageOfStats, type ContainerStats } from "./task-usage.js";

describe("usageOfStats", () => {
  const cases: [string, ContainerStats, { cpuNanos: number; memoryBytes: number; memoryLimitBytes: number }][] = [
    ["cgroup v2", { cpu_stats: { cpu_usage: { total_usage: 5e9 } }, memory_stats: { usage: 300, limit: 1000, stats: { inactive_file: 100 } } }, { cpuNanos: 5e9, memoryBytes: 200, memoryLimitBytes: 1000 }],
    ["cgroup v1", { cpu_stats: { cpu_usage: { total_usage: 7 } }, memory_stats: { usage: 300, limit: 1000, stats: { total_inactive_file: 50 } } }, { cpuNanos: 7, memoryBytes: 250, memoryLimitBytes: 1000 }],
    ["no page cache figure", { cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: { usage: 300, limit: 1000 } }, { cpuNanos: 1, memoryBytes: 300, memoryLimitBytes: 1000 }],
    ["a stopped container (empty stats)", {}, { cpuNanos: 0, memoryBytes: 0, memoryLimitBytes: 0 }],
  ];
  for (const [what, stats, want] of cases) it(what, () => assert.deepEqual(usageOfStats(stats), want));
});
