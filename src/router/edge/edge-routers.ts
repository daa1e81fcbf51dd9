import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { BackendLoad, ServiceRoute, TrafficRouter } from "../types.js";
import { dataPlaneRoute, dataPlaneToken, type DataPlaneRoute } from "./data-plane-route.js";
import { EdgeAwareRouter } from "./edge-drain.js";
import { EdgeLoadReports } from "./load-merge.js";
import { RouteTable } from "./route-table.js";
import { StartFailureNotices } from "./start-failures.js";

export interface EdgeRoutersDeps {
  /** The control plane's own data plane (HaproxyRouter). */
  local: TrafficRouter & { routes(): ServiceRoute[] };
  dataDir: string;
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

/** The control plane's side of edge routers, for the composition. */
export interface EdgeRouters {
  /** What runtime drivers route through: drains wait for the edge routers too. */
  router: TrafficRouter;
  /** The local router's load plus every fresh edge report: for the autoscaler and the concurrency sampler. */
  load(): Promise<BackendLoad[]>;
  /** GET routes / POST load, behind the data-plane token. */
  route: DataPlaneRoute;
}

/** Edge routers (`openrunner router` on other machines) follow the local router's routes and report their load here. */
export function edgeRouters(deps: EdgeRoutersDeps): EdgeRouters {
  const reports = new EdgeLoadReports(deps.clock);
  const boot = deps.random.bytes(6).toString("hex");
  const startFailures = new StartFailureNotices(deps.clock, boot);
  const table = new RouteTable(() => deps.local.routes(), boot, () => startFailures.current());
  return {
    router: new EdgeAwareRouter({ local: deps.local, table, reports, clock: deps.clock, logger: deps.logger, startFailures }),
    load: async () => reports.merged(await deps.local.load()),
    route: dataPlaneRoute({ token: dataPlaneToken(deps.dataDir, deps.random), table, reports }),
  };
}
