import type { Clock } from "../../util/clock.js";
import type { BackendLoad } from "../types.js";
import type { LoadReport } from "./load-report.js";

/** One edge router's last load report, stamped when the control plane received it. */
export interface EdgeLoadReport extends LoadReport {
  receivedAt: number;
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
    if (l.requests !== undefined) sum.requests = (sum.requests ?? 0) + l.requests;
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

  record(report: LoadReport): void {
    this.last.set(report.name, { ...report, receivedAt: this.clock.now() });
  }

  /** Sums the local router's load with the fresh reports. */
  merged(local: readonly BackendLoad[]): BackendLoad[] {
    return mergeLoads(local, this.fresh(), this.clock.now(), this.freshMs);
  }

  /** The reports that still count; stale ones are forgotten. */
  fresh(): EdgeLoadReport[] {
    const now = this.clock.now();
    for (const [name, r] of this.last) if (now - r.receivedAt > this.freshMs || r.receivedAt > now) this.last.delete(name);
    return [...this.last.values()];
  }
}
