import type { Clock } from "../../util/clock.js";
import type { BackendLoad } from "../types.js";

/** One edge router's last load report, stamped when the control plane received it. */
export interface EdgeLoadReport {
  name: string;
  receivedAt: number;
  loads: BackendLoad[];
}

/** An edge router that stopped reporting for longer than this no longer counts (it may be gone). */
export const EDGE_REPORT_FRESH_MS = 3_000;

/**
 * Pure: the data plane's load as the autoscaler and the concurrency sampler see it: the local
 * router's plus every edge router's report that is at most `freshMs` old, summed per service
 * (and per instance: the same instance takes requests from every router).
 */
export function mergeLoads(local: readonly BackendLoad[], reports: readonly EdgeLoadReport[], now: number, freshMs = EDGE_REPORT_FRESH_MS): BackendLoad[] {
  const out = new Map<string, BackendLoad>();
  const add = (l: BackendLoad): void => {
    const sum = out.get(l.serviceId) ?? { serviceId: l.serviceId, inFlight: 0, queued: 0, perInstance: {} };
    sum.inFlight += l.inFlight;
    sum.queued += l.queued;
    for (const [id, n] of Object.entries(l.perInstance)) sum.perInstance[id] = (sum.perInstance[id] ?? 0) + n;
    out.set(l.serviceId, sum);
  };
  for (const l of local) add(l);
  for (const r of reports) if (now - r.receivedAt <= freshMs && r.receivedAt <= now) r.loads.forEach(add);
  return [...out.values()];
}

/** The last report of each edge router, by name; read through mergeLoads. */
export class EdgeLoadReports {
  private readonly last = new Map<string, EdgeLoadReport>();

  constructor(
    private readonly clock: Clock,
    private readonly freshMs = EDGE_REPORT_FRESH_MS,
  ) {}

  record(name: string, loads: BackendLoad[]): void {
    this.last.set(name, { name, receivedAt: this.clock.now(), loads });
  }

  /** Sums the local router's load with the fresh reports; stale ones are forgotten. */
  merged(local: readonly BackendLoad[]): BackendLoad[] {
    const now = this.clock.now();
    for (const [name, r] of this.last) if (now - r.receivedAt > this.freshMs) this.last.delete(name);
    return mergeLoads(local, [...this.last.values()], now, this.freshMs);
  }

  /** Names of the edge routers that reported recently. */
  names(): string[] {
    return [...this.last.keys()];
  }
}
