import type { ServiceRoute } from "../../router/types.js";
import { withSplit, type TrafficSplits } from "../traffic-splits.js";
import { routable, routeKey } from "./routing.js";
import type { SwarmDeployment } from "./service-spec.js";
import type { WatchedInstance } from "./watcher.js";

/** The new version's routable tasks during a gradual rollout of this serving deployment's service (none without one). */
export function splitTasksOf(serving: SwarmDeployment, splits: TrafficSplits, instances: readonly WatchedInstance[]): WatchedInstance[] {
  const share = splits.get(serving.serviceId);
  if (!share || share.deploymentId === serving.deploymentId) return [];
  return instances.filter((i) => i.deployment.deploymentId === share.deploymentId && routable(i)).sort((a, b) => a.taskId.localeCompare(b.taskId));
}

/** The serving route with the new version's tasks beside it; and the keys that say when it changed (`published`). */
export function splitRouteOf(route: ServiceRoute, serving: SwarmDeployment, splits: TrafficSplits, instances: readonly WatchedInstance[]): { route: ServiceRoute; keys: string[] } {
  const tasks = splitTasksOf(serving, splits, instances);
  const share = splits.get(serving.serviceId);
  const out = withSplit(route, serving.deploymentId, share, tasks.map((i) => ({ id: i.taskId, address: i.address, port: i.port })));
  return { route: out, keys: out.canary ? [`split:${out.canary.deploymentId}`, ...tasks.map((i) => `split:${routeKey(i)}`)] : [] };
}
