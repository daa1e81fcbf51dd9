/**
 * CPU and memory of a task's container from the Engine API (`GET /containers/{id}/stats`), for
 * the usage sampler (src/runtime/local/usage-sampler.ts). Only containers on the node whose
 * Engine API the control plane holds (the manager) can be read; tasks on other nodes count as
 * active instances without utilization until each node's API is reachable.
 */
import type { ContainerRef, ContainerUsage } from "../../executor/types.js";
import type { EngineApi } from "./engine-api.js";

/** The parts of a stats answer that matter (cgroup v1 and v2 spell the page cache differently). */
export interface ContainerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number } };
}

/** Pure: memory as `docker stats` shows it, without the reclaimable page cache. */
export function usageOfStats(stats: ContainerStats): ContainerUsage {
  const m = stats.memory_stats ?? {};
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  const used = m.usage ?? 0;
  return {
    cpuNanos: stats.cpu_stats?.cpu_usage?.total_usage ?? 0,
    memoryBytes: used > cache ? used - cache : used,
    memoryLimitBytes: m.limit ?? 0,
  };
}

/** The sampler's `usage` for Swarm tasks: one stats reading, not a stream. */
export function engineUsage(api: EngineApi): (ref: ContainerRef) => Promise<ContainerUsage> {
  return async (ref) => usageOfStats(await api.call<ContainerStats>({ path: `/containers/${ref.containerId}/stats`, query: { stream: false }, timeoutMs: 10_000 }));
}
