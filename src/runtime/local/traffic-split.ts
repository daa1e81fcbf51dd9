import type { ServiceRoute } from "../../router/types.js";
import { withSplit, type TrafficSplits } from "../traffic-splits.js";
import type { InstancePool } from "./instance-pool.js";
import type { DeploymentRecord, RuntimeRecords } from "./records.js";
import { routable, routedInstance } from "./routing.js";

/**
 * The serving deployment's route with a gradual rollout's new version beside it: the new
 * version's healthy instances, while its deployment is on this host.
 */
export function splitRouteOf(route: ServiceRoute, serving: DeploymentRecord, splits: TrafficSplits, records: RuntimeRecords, pool: InstancePool): ServiceRoute {
  const share = splits.get(serving.serviceId);
  const next = share ? records.deployment(share.deploymentId) : undefined;
  if (!share || !next) return route;
  return withSplit(route, serving.deploymentId, share, routable(next, pool.of(next.deploymentId)).map((l) => routedInstance(next, l)));
}
