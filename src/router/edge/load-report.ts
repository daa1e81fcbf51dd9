import type { BackendLoad } from "../types.js";

/** What an edge router POSTs every second. */
export interface LoadReport {
  name: string;
  loads: BackendLoad[];
  /** The version (ETag) of the route table the edge router has applied in full, if any. */
  routes?: string;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Whether an edge router may report under this name (a host name fits). */
export const isEdgeRouterName = (name: string): boolean => NAME.test(name);
const MAX_BACKENDS = 10_000;

/** Pure: a load report from JSON, or why it is not one (an edge router's numbers reach the autoscaler). */
export function parseLoadReport(body: unknown): LoadReport | string {
  const b = body as { name?: unknown; loads?: unknown; routes?: unknown } | null;
  if (typeof b?.name !== "string" || !NAME.test(b.name)) return "name must be 1-100 letters, digits, '.', '_' or '-'";
  if (!Array.isArray(b.loads) || b.loads.length > MAX_BACKENDS) return "loads must be an array of backend loads";
  if (b.routes !== undefined && (typeof b.routes !== "string" || b.routes.length > 200)) return "routes is the ETag of the applied route table";
  const loads: BackendLoad[] = [];
  for (const raw of b.loads as unknown[]) {
    const l = raw as Partial<BackendLoad> | null;
    if (typeof l?.serviceId !== "string" || !count(l.inFlight) || !count(l.queued)) return "each load needs serviceId, inFlight and queued";
    const per = l.perInstance ?? {};
    if (typeof per !== "object" || Array.isArray(per) || !Object.values(per).every(count)) return "perInstance maps instance ids to counts";
    if (l.requests !== undefined && !count(l.requests)) return "requests is the backend's request counter";
    // The request counter is what keeps a service that scales to zero awake when only edge routers serve it.
    loads.push({ serviceId: l.serviceId, inFlight: l.inFlight, queued: l.queued, ...(l.requests !== undefined ? { requests: l.requests } : {}), perInstance: { ...per } });
  }
  return { name: b.name, loads, ...(typeof b.routes === "string" ? { routes: b.routes } : {}) };
}
