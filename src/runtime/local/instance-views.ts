import type { InstancePool } from "./instance-pool.js";
import type { InstanceView } from "./live-instance.js";
import type { RuntimeRecords } from "./records.js";
import type { SampledInstance } from "./usage-sampler.js";

/** Instances serving traffic, with what CPUUtilization and MemoryUtilization are relative to. */
export function sampledInstancesOf(pool: InstancePool, records: RuntimeRecords): SampledInstance[] {
  const out: SampledInstance[] = [];
  for (const l of pool.all()) {
    const d = records.deployment(l.record.deploymentId);
    if (!d || d.role !== "serving" || l.ending || l.leaving) continue;
    out.push({
      instanceId: l.record.instanceId,
      serviceId: l.record.serviceId,
      containerRef: l.container,
      cpuMillicores: d.plan.cpuMillicores,
      memoryBytes: d.plan.memoryBytes,
    });
  }
  return out;
}

/** Running instances, for tests, the router and `openrunner` tools. */
export function instanceViewsOf(pool: InstancePool, records: RuntimeRecords, serviceId?: string): InstanceView[] {
  const out: InstanceView[] = [];
  for (const l of pool.all()) {
    if (l.ending || (serviceId && l.record.serviceId !== serviceId)) continue;
    const d = records.deployment(l.record.deploymentId);
    out.push({
      instanceId: l.record.instanceId,
      deploymentId: l.record.deploymentId,
      serviceId: l.record.serviceId,
      address: l.container.network.instanceAddress,
      port: d?.plan.port ?? 0,
      healthy: l.checker.verdict === "healthy",
      serving: d?.role === "serving" && !l.leaving,
      pid: l.pid,
      containerId: l.record.containerId,
    });
  }
  return out;
}
