/**
 * Which instances a service runs and where: what `OpenRunner.ListServiceInstances` answers and
 * the console's "Instances" tab shows. The API knows nothing of runtimes; the composition root
 * hands it an InstanceDirectory over the running driver (runtime/instance-directory.ts).
 */

/**
 * HEALTHY: passes its health check. STARTING: not yet healthy and not taking requests.
 * UNHEALTHY: takes requests but fails its health check now (the data plane stops sending to it).
 */
export type InstanceStatus = "HEALTHY" | "STARTING" | "UNHEALTHY";

/** One running instance of a service, in the API's words. */
export interface ServiceInstance {
  /** As in the application log stream `instance/<InstanceId>`. */
  InstanceId: string;
  DeploymentId: string;
  /** The machine it runs on: this host's name for the local runtime, the Swarm node's hostname for a swarm. */
  Node: string;
  /** Where the data plane reaches it. */
  Address: string;
  Port: number;
  Status: InstanceStatus;
  /** Takes the service's requests (its deployment serves, and it is not draining away). */
  Serving: boolean;
}

/** The running driver's instances, as the API sees them. */
export interface InstanceDirectory {
  instances(serviceId: string): Promise<readonly ServiceInstance[]> | readonly ServiceInstance[];
}
