import type { BackendLoad } from "./types.js";

/** One row of HAProxy's `show stat` CSV with the columns OpenRunner uses. */
export interface StatRow {
  proxy: string;
  /** "FRONTEND", "BACKEND" or a server name. */
  name: string;
  qcur: number;
  scur: number;
  stot: number;
  /** HTTP requests (for a backend: every request it was chosen for, whatever became of it). */
  reqTot: number;
  hrsp2xx: number;
  hrsp4xx: number;
  hrsp5xx: number;
  /** e.g. "UP", "DRAIN", "MAINT", "no check". */
  status: string;
}

export interface BackendStats {
  backend: string;
  inFlight: number;
  queued: number;
  perServer: Record<string, { scur: number; qcur: number; status: string }>;
  /**
   * Requests the backend holds while none of its servers is up (a service at zero, or its only
   * instance being replaced): the data plane's hold rule keeps them in the backend (its scur)
   * before any server or queue, so the backend row counts them and nothing else does.
   */
  held: number;
  /** Cumulative counters of the backend row since the worker started. */
  requests: number;
  responses2xx: number;
  responses4xx: number;
  responses5xx: number;
}

const num = (s: string | undefined): number => {
  const n = Number(s);
  return s === undefined || s === "" || !Number.isFinite(n) ? 0 : n;
};

/** Parses `show stat` output (header line starting with "# "). Unknown or missing columns read as 0. */
export function parseStatCsv(text: string): StatRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  const idx = {
    px: at("pxname"), sv: at("svname"), qcur: at("qcur"), scur: at("scur"), stot: at("stot"), reqTot: at("req_tot"),
    h2: at("hrsp_2xx"), h4: at("hrsp_4xx"), h5: at("hrsp_5xx"), status: at("status"),
  };
  const rows: StatRow[] = [];
  for (const l of lines) {
    if (l.startsWith("#")) continue;
    const f = l.split(",");
    const get = (i: number) => (i >= 0 ? f[i] : undefined);
    rows.push({
      proxy: get(idx.px) ?? "",
      name: get(idx.sv) ?? "",
      qcur: num(get(idx.qcur)),
      scur: num(get(idx.scur)),
      stot: num(get(idx.stot)),
      reqTot: num(get(idx.reqTot)),
      hrsp2xx: num(get(idx.h2)),
      hrsp4xx: num(get(idx.h4)),
      hrsp5xx: num(get(idx.h5)),
      status: get(idx.status) ?? "",
    });
  }
  return rows;
}

/**
 * Groups rows by backend. inFlight = sum of the servers' scur (requests on an instance);
 * queued = the backend queue plus the servers' own queues.
 */
export function backendStats(rows: readonly StatRow[]): BackendStats[] {
  const byName = new Map<string, BackendStats>();
  const get = (backend: string): BackendStats => {
    let b = byName.get(backend);
    if (!b) {
      b = { backend, inFlight: 0, queued: 0, perServer: {}, held: 0, requests: 0, responses2xx: 0, responses4xx: 0, responses5xx: 0 };
      byName.set(backend, b);
    }
    return b;
  };
  const attached = new Map<string, number>();
  for (const r of rows) {
    if (r.name === "FRONTEND") continue;
    const b = get(r.proxy);
    if (r.name === "BACKEND") {
      attached.set(r.proxy, r.scur);
      b.queued += r.qcur;
      b.requests = r.reqTot;
      b.responses2xx = r.hrsp2xx;
      b.responses4xx = r.hrsp4xx;
      b.responses5xx = r.hrsp5xx;
    } else {
      b.inFlight += r.scur;
      b.queued += r.qcur;
      b.perServer[r.name] = { scur: r.scur, qcur: r.qcur, status: r.status };
    }
  }
  for (const b of byName.values()) {
    const up = Object.values(b.perServer).some((s) => s.status.startsWith("UP") || s.status === "no check");
    if (!up) b.held = Math.max(0, (attached.get(b.backend) ?? 0) - b.inFlight - b.queued);
  }
  return [...byName.values()];
}

/** BackendLoad for every service backend (`s_<serviceId>`); other backends are left out. */
export function toBackendLoads(stats: readonly BackendStats[]): BackendLoad[] {
  return stats
    .filter((s) => s.backend.startsWith("s_"))
    .map((s) => ({
      serviceId: s.backend.slice(2),
      inFlight: s.inFlight,
      // Held requests wait for an instance as queued ones do: the autoscaler wakes a service at zero on them.
      queued: s.queued + s.held,
      requests: s.requests,
      perInstance: Object.fromEntries(Object.entries(s.perServer).map(([k, v]) => [k, v.scur])),
    }));
}
