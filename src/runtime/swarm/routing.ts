/** Pure: which of a deployment's tasks take requests, and the route the data plane is given. */
import type { ServiceRoute } from "../../router/types.js";
import type { SwarmDeployment } from "./service-spec.js";
import type { WatchedInstance } from "./watcher.js";

/** A task the router may send requests to: healthy, or adopted at start and not failing since. */
export function routable(i: WatchedInstance): boolean {
  return i.healthy || i.adopted;
}

/** Names a routed task where it is now: a task that moved is another server for the router. */
export const routeKey = (i: Pick<WatchedInstance, "taskId" | "address" | "port">): string => `${i.taskId}@${i.address}:${i.port}`;

/** The task ids of keys a route had before and no longer has. */
export function lostTasks(before: readonly string[], now: readonly string[]): string[] {
  return before.filter((k) => !now.includes(k)).map((k) => k.split("@")[0] ?? k);
}

export function routeOf(d: SwarmDeployment, instances: readonly Pick<WatchedInstance, "taskId" | "address" | "port">[], state: ServiceRoute["state"] = "serving"): ServiceRoute {
  return {
    serviceId: d.serviceId,
    serviceName: d.serviceName,
    hosts: d.settings.hosts,
    state,
    maxConcurrency: d.settings.maxConcurrency,
    instances: state === "serving" ? instances.map((i) => ({ id: i.taskId, address: i.address, port: i.port })) : [],
    tracing: d.settings.tracing,
  };
}
