/*
 * Adapters from a driver's view of its instances to the API's ServiceInstance
 * (domain/instances.ts): the composition root builds one over the driver it runs, so the API
 * lists instances without importing a runtime.
 */
import { hostname } from "node:os";
import type { InstanceDirectory, InstanceStatus, ServiceInstance } from "../domain/instances.js";
import type { InstanceView } from "./local/live-instance.js";
import type { SwarmInstanceView } from "./swarm/types.js";

/** What every driver knows of a running instance. */
type DriverInstance = Pick<InstanceView, "instanceId" | "deploymentId" | "address" | "port" | "healthy" | "serving">;

/** A serving instance that is not healthy has failed its check since; one that never served is still starting. */
export function instanceStatus(i: Pick<DriverInstance, "healthy" | "serving">): InstanceStatus {
  if (i.healthy) return "HEALTHY";
  return i.serving ? "UNHEALTHY" : "STARTING";
}

export function serviceInstance(i: DriverInstance, node: string): ServiceInstance {
  return {
    InstanceId: i.instanceId,
    DeploymentId: i.deploymentId,
    Node: node,
    Address: i.address,
    Port: i.port,
    Status: instanceStatus(i),
    Serving: i.serving,
  };
}

/** The local driver's instances, all on this machine (`node` is its hostname unless given). */
export function localInstanceDirectory(driver: { instances(serviceId: string): readonly InstanceView[] }, node = hostname()): InstanceDirectory {
  return { instances: (serviceId) => driver.instances(serviceId).map((i) => serviceInstance(i, node)) };
}

/** The Swarm driver's tasks, each on the node Swarm placed it on. */
export function swarmInstanceDirectory(driver: {
  instances(serviceId: string): Promise<readonly SwarmInstanceView[]> | readonly SwarmInstanceView[];
}): InstanceDirectory {
  return { instances: async (serviceId) => (await driver.instances(serviceId)).map((i) => serviceInstance(i, i.node)) };
}
