/**
 * Request counts from HAProxy's own counters. Above a few hundred requests a second per service
 * HAProxy logs only a random sample of requests (for latency percentiles; see
 * haproxy-config.ts), so the counts come from the cumulative counters of each service backend
 * in `show stat` (req_tot, hrsp_2xx/4xx/5xx), read once a second: exact at any rate and free
 * per request.
 */

import { AppRunnerError } from "../errors/app-runner-error.js";
import { parseInfo } from "./runtime-api.js";
import { backendStats, parseStatCsv } from "./stats.js";

/** One service backend's counters since its HAProxy worker started. */
export interface BackendCounters {
  serviceId: string;
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
}

/** What one read of the counters returns. */
export interface CounterSnapshot {
  /** The HAProxy worker's PID: a reload starts a new worker, whose counters start at 0. */
  worker: number;
  backends: readonly BackendCounters[];
}

/** The answer to `show info; show stat -1 2 -1`: the worker's PID and every service backend's counters. */
export function parseCounters(out: string): CounterSnapshot {
  const csvAt = out.indexOf("# pxname");
  const worker = Number(parseInfo(csvAt < 0 ? out : out.slice(0, csvAt)).get("Pid"));
  if (csvAt < 0 || !Number.isInteger(worker) || worker <= 0) {
    throw new AppRunnerError("InternalServiceError", `HAProxy answered show info/show stat without a PID or counters: ${out.slice(0, 200)}`);
  }
  // A gradual rollout's new version (`c_<serviceId>`) answers the service's requests too: one sum per service.
  const byService = new Map<string, BackendCounters>();
  for (const b of backendStats(parseStatCsv(out.slice(csvAt)))) {
    if (!b.backend.startsWith("s_") && !b.backend.startsWith("c_")) continue;
    const serviceId = b.backend.slice(2);
    const sum = byService.get(serviceId) ?? { serviceId, requests: 0, status2xx: 0, status4xx: 0, status5xx: 0 };
    byService.set(serviceId, {
      serviceId,
      requests: sum.requests + b.requests,
      status2xx: sum.status2xx + b.responses2xx,
      status4xx: sum.status4xx + b.responses4xx,
      status5xx: sum.status5xx + b.responses5xx,
    });
  }
  return { worker, backends: [...byService.values()] };
}

export type CountDelta = Omit<BackendCounters, "serviceId">;

const ZERO: CountDelta = Object.freeze({ requests: 0, status2xx: 0, status4xx: 0, status5xx: 0 });

/**
 * Turns successive snapshots into the counts of the interval between them. The first snapshot
 * is only a baseline (what it counts happened before anyone was watching). A new worker's
 * counters all belong to the interval it started in; requests the old worker answered after
 * the last read before the reload are not counted (at most one interval of one worker).
 */
export class CounterDeltas {
  private previous: { worker: number; byService: Map<string, BackendCounters> } | undefined;

  next(snapshot: CounterSnapshot): Map<string, CountDelta> {
    const out = new Map<string, CountDelta>();
    const previous = this.previous;
    const sameWorker = previous !== undefined && previous.worker === snapshot.worker;
    for (const b of snapshot.backends) {
      if (previous === undefined) continue;
      const base = sameWorker ? (previous.byService.get(b.serviceId) ?? ZERO) : ZERO;
      const delta = {
        requests: since(b.requests, base.requests),
        status2xx: since(b.status2xx, base.status2xx),
        status4xx: since(b.status4xx, base.status4xx),
        status5xx: since(b.status5xx, base.status5xx),
      };
      if (delta.requests > 0 || delta.status2xx > 0 || delta.status4xx > 0 || delta.status5xx > 0) out.set(b.serviceId, delta);
    }
    this.previous = { worker: snapshot.worker, byService: new Map(snapshot.backends.map((b) => [b.serviceId, b])) };
    return out;
  }
}

/** A counter lower than before was reset (the backend was recreated): all of it is new. */
function since(now: number, before: number): number {
  return now >= before ? now - before : now;
}
