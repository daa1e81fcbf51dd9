import type { RoutedInstance, ServiceRoute } from "../../router/types.js";
import type { LiveInstance } from "./live-instance.js";
import type { DeploymentRecord } from "./records.js";

/** An instance of this deployment, not being torn down: its address is the service's to route to. */
export function owns(d: DeploymentRecord, l: LiveInstance): boolean {
  return !l.ending && l.record.deploymentId === d.deploymentId && l.record.serviceId === d.serviceId;
}

/** Instances the router may send requests to: the deployment's own, healthy, not leaving. */
export function routable(d: DeploymentRecord, instances: readonly LiveInstance[]): LiveInstance[] {
  return instances.filter((l) => owns(d, l) && !l.leaving && l.checker.verdict === "healthy");
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
    instances: state === "serving" ? routable(d, instances).map((l) => routedInstance(d, l)) : [],
    tracing: d.tracing,
  };
}

/** Pure: the route with every instance `d` owns now, whether or not it passed a health check since a restart. */
export function ownedRoute(d: DeploymentRecord, instances: readonly LiveInstance[]): ServiceRoute {
  return { ...routeOf(d, []), instances: instances.filter((l) => owns(d, l)).map((l) => routedInstance(d, l)) };
}

/** What a start does with a route the data plane kept from before (routes.json). */
export type RouteRepair =
  | { action: "keep" }
  | { action: "remove"; why: string }
  | { action: "apply"; route: ServiceRoute; why: string };

/** What is true now of a persisted route's service. */
export interface RouteFacts {
  /** The service is in the store and not deleted. */
  exists: boolean;
  /** Its serving deployment's route with every instance it owns now (healthy or not yet checked), if one serves. */
  owned?: ServiceRoute;
}

const key = (i: RoutedInstance): string => `${i.id}@${i.address}:${i.port}`;

/**
 * Pure: a persisted route may outlive what it describes (a service deleted, an instance gone
 * while the control plane was down, whose address another service's instance may take next).
 * A deleted service's route goes (its hosts answer 404); a serving route keeps only the
 * instances its serving deployment still owns, at the same address and port, and nothing when
 * no deployment serves. Instances not yet re-checked stay, so a restart does not empty a route.
 */
export function repairRoute(persisted: ServiceRoute, facts: RouteFacts): RouteRepair {
  if (!facts.exists) return { action: "remove", why: "the service no longer exists" };
  if (persisted.state === "paused") return { action: "keep" };
  if (!facts.owned) return { action: "remove", why: "no deployment of the service serves" };
  const owned = new Set(facts.owned.instances.map(key));
  const kept = persisted.instances.filter((i) => owned.has(key(i)));
  if (kept.length === persisted.instances.length) return { action: "keep" };
  const gone = persisted.instances.filter((i) => !owned.has(key(i))).map((i) => i.id);
  return { action: "apply", route: { ...facts.owned, instances: kept }, why: `instances ${gone.join(", ")} are no longer the service's` };
}
