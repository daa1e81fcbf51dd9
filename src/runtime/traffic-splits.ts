import type { RoutedInstance, ServiceRoute, TrafficRouter, VersionMeasurement } from "../router/types.js";
import type { DeploymentRef, DriverContext } from "./driver.js";
import type { KeyedLock } from "./keyed-lock.js";

/** What a driver lends its splitTraffic: its service lock, its deployment check and its publication. */
export interface SplitPublisher {
  lock: KeyedLock;
  /** Throws when the deployment is not the driver's. */
  require(ref: DeploymentRef): { deploymentId: string };
  publish(serviceId: string): Promise<void>;
  /** Once the routers following the driver's (edge routers) applied what it published; absent: at once. */
  settle?(): Promise<void>;
}

/** A gradual rollout's share as a driver keeps it: which deployment takes how many new clients. */
export interface SplitShare {
  deploymentId: string;
  percent: number;
}

/**
 * The splits a driver's routes carry (RuntimeDriver.splitTraffic), per service. Held in memory:
 * after a restart of the control plane the engine resumes the rollout phase, which sets the
 * split again; until then the data plane keeps serving the one it had (routes.json).
 */
export class TrafficSplits {
  private readonly byService = new Map<string, SplitShare>();

  /** percent <= 0 ends the split: every client goes to the serving version again. */
  set(serviceId: string, deploymentId: string, percent: number): void {
    if (percent <= 0) this.byService.delete(serviceId);
    else this.byService.set(serviceId, { deploymentId, percent: Math.min(100, percent) });
  }

  /** RuntimeDriver.splitTraffic: the share, published under the service's lock. */
  async change(ref: DeploymentRef, percent: number, ctx: DriverContext, d: SplitPublisher): Promise<void> {
    await d.lock.run(ref.serviceId, async () => {
      this.set(ref.serviceId, d.require(ref).deploymentId, percent);
      await d.publish(ref.serviceId);
    });
    // A split's end says every client is back on the serving version: true only once edge routers applied it too.
    if (percent <= 0) await d.settle?.();
    ctx.log(`${percent}% of new clients go to deployment ${ref.deploymentId}.`);
  }

  get(serviceId: string): SplitShare | undefined {
    return this.byService.get(serviceId);
  }

  /** The service's split ends (promoted, paused, deleted, or this version retired). */
  clear(serviceId: string, deploymentId?: string): void {
    if (deploymentId === undefined || this.byService.get(serviceId)?.deploymentId === deploymentId) this.byService.delete(serviceId);
  }
}

/** Pure: the route with the new version's instances beside the serving ones (unchanged without a split or a serving route). */
export function withSplit(route: ServiceRoute, servingDeploymentId: string, share: SplitShare | undefined, instances: readonly RoutedInstance[]): ServiceRoute {
  if (!share || route.state !== "serving" || share.deploymentId === servingDeploymentId) return route;
  return { ...route, canary: { deploymentId: share.deploymentId, servingDeploymentId, percent: share.percent, instances: [...instances] } };
}

/** RuntimeDriver.measureSplit: what the data plane recorded of the service's new version (nothing without a measuring router). */
export async function measureThrough(router: TrafficRouter, ref: DeploymentRef, windowMs: number): Promise<VersionMeasurement> {
  return (await router.measureCanary?.(ref.serviceId, windowMs)) ?? { requests: 0, errors5xx: 0 };
}
