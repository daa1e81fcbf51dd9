import { setTimeout as sleep } from "node:timers/promises";
import type { Clock } from "../../util/clock.js";
import type { BackendLoad, ServiceRoute, TrafficRouter, VersionMeasurement } from "../types.js";
import type { EdgeLoadReport, EdgeLoadReports } from "./load-merge.js";
import type { RouteTable } from "./route-table.js";
import type { StartFailureNotices } from "./start-failures.js";

/**
 * Pure: whether every edge router that still reports has applied a table at least as new as
 * `version` (one without the leaving instances) and has no request left on them. An edge router
 * that stopped reporting is not waited for: it is gone, or cut off and holding its old table.
 */
export function edgesDrained(
  fresh: readonly EdgeLoadReport[],
  version: number,
  versionOf: (etag: string | undefined) => number | undefined,
  serviceId: string,
  instanceIds: readonly string[],
): boolean {
  return fresh.every((r) => {
    const applied = versionOf(r.routes);
    if (applied === undefined || applied < version) return false;
    const load = r.loads.find((l) => l.serviceId === serviceId);
    return !load || instanceIds.every((id) => (load.perInstance[id] ?? 0) === 0);
  });
}

export interface EdgeAwareRouterOptions {
  local: TrafficRouter;
  table: RouteTable;
  reports: EdgeLoadReports;
  clock: Clock;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Between two looks at the edge routers' reports (default 100 ms). */
  pollMs?: number;
  wait?: (ms: number) => Promise<unknown>;
  /** Where a failed start is listed for edge routers (in the table they poll); absent: only the local router answers 503. */
  startFailures?: StartFailureNotices;
}

const DEFAULT_DRAIN_MS = 30_000;

/**
 * The router runtime drivers talk to when edge routers may follow the local one: a drain
 * (blue/green's old instances, scale-in) resolves only once the edge routers stopped sending
 * to the leaving instances too, so no edge router sends a request to an instance that was
 * stopped before it learnt of the change.
 */
export class EdgeAwareRouter implements TrafficRouter {
  constructor(private readonly opts: EdgeAwareRouterOptions) {}

  apply(route: ServiceRoute): Promise<void> {
    return this.opts.local.apply(route);
  }

  failed(serviceId: string, instanceIds: readonly string[]): Promise<void> {
    return this.opts.local.failed(serviceId, instanceIds);
  }

  remove(serviceId: string): Promise<void> {
    return this.opts.local.remove(serviceId);
  }

  async startFailed(serviceId: string, forMs: number): Promise<void> {
    // Edge routers hold requests of the service too: they answer 503 once they poll the table.
    this.opts.startFailures?.add(serviceId, forMs);
    await this.opts.local.startFailed?.(serviceId, forMs);
  }

  load(): Promise<BackendLoad[]> {
    return this.opts.local.load();
  }

  /** The local router's measurements: edge routers' own request logs stay on their machines (a sample of the whole). */
  async measureCanary(serviceId: string, windowMs: number): Promise<VersionMeasurement> {
    return (await this.opts.local.measureCanary?.(serviceId, windowMs)) ?? { requests: 0, errors5xx: 0 };
  }

  async drain(serviceId: string, instanceIds: readonly string[], timeoutMs = DEFAULT_DRAIN_MS): Promise<void> {
    const started = this.opts.clock.now();
    await this.opts.local.drain(serviceId, instanceIds, timeoutMs);
    // The table now lacks the leaving instances: edge routers must have applied this version or a later one.
    const behind = await this.edgesBehind(started, timeoutMs, serviceId, instanceIds);
    if (behind.length > 0) this.opts.logger("data plane: edge routers still had the leaving instances when the drain timed out", { serviceId, instances: instanceIds, edges: behind });
  }

  /** Once every reporting edge router applied the current table (a split's end: its clients are back everywhere). */
  async settle(timeoutMs = DEFAULT_DRAIN_MS): Promise<void> {
    const behind = await this.edgesBehind(this.opts.clock.now(), timeoutMs, "", []);
    if (behind.length > 0) this.opts.logger("data plane: edge routers had not applied the current routes when the wait for them timed out", { edges: behind });
  }

  /** Waits until every fresh edge router applied the current table and has none of `instanceIds` busy: the names of those still behind at the timeout. */
  private async edgesBehind(started: number, timeoutMs: number, serviceId: string, instanceIds: readonly string[]): Promise<string[]> {
    const { version } = this.opts.table.current();
    const { reports, table } = this.opts;
    const done = (fresh: readonly EdgeLoadReport[]) => edgesDrained(fresh, version, (etag) => table.versionOf(etag), serviceId, instanceIds);
    const wait = this.opts.wait ?? sleep;
    while (!done(reports.fresh())) {
      if (this.opts.clock.now() - started >= timeoutMs) return reports.fresh().filter((r) => !done([r])).map((r) => r.name);
      await wait(this.opts.pollMs ?? 100);
    }
    return [];
  }
}
