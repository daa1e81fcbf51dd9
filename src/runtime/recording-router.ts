import type { BackendLoad, ServiceRoute, TrafficRouter, VersionMeasurement } from "../router/types.js";

/**
 * A data plane that only remembers the last route of each service, for drivers' conformance:
 * what a driver tells the router is part of its contract (a gradual rollout's split).
 */
export class RecordingRouter implements TrafficRouter {
  readonly routes = new Map<string, ServiceRoute>();
  /** What measureCanary answers: the driver hands the data plane's numbers on. */
  measurement: VersionMeasurement = { requests: 7, errors5xx: 1, p99Ms: 12 };
  apply(route: ServiceRoute): Promise<void> {
    this.routes.set(route.serviceId, route);
    return Promise.resolve();
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  failed(): Promise<void> {
    return Promise.resolve();
  }
  remove(serviceId: string): Promise<void> {
    this.routes.delete(serviceId);
    return Promise.resolve();
  }
  load(): Promise<BackendLoad[]> {
    return Promise.resolve([]);
  }
  measureCanary(): Promise<VersionMeasurement> {
    return Promise.resolve(this.measurement);
  }
}
