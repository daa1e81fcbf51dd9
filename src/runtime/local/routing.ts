import type { RoutedInstance, ServiceRoute } from "../../router/types.js";
import type { LiveInstance } from "./live-instance.js";
import type { DeploymentRecord } from "./records.js";

/** Instances the router may send requests to: healthy, not leaving, not being torn down. */
export function routable(instances: readonly LiveInstance[]): LiveInstance[] {
  return instances.filter((l) => !l.ending && !l.leaving && l.checker.verdict === "healthy");
}

export function routedInstance(d: DeploymentRecord, l: LiveInstance): RoutedInstance {
  return { id: l.record.instanceId, address: l.container.network.instanceAddress, port: d.plan.port };
}

/** Pure: the route of a service whose `d` serves with these instances (or a paused one). */
export function routeOf(d: DeploymentRecord, instances: readonly LiveInstance[], state: ServiceRoute["state"] = "serving"): ServiceRoute {
  return {
    serviceId: d.serviceId,
    serviceName: d.serviceName,
    hosts: d.hosts,
    state,
    maxConcurrency: d.maxConcurrency,
    instances: state === "serving" ? routable(instances).map((l) => routedInstance(d, l)) : [],
    tracing: d.tracing,
  };
}
