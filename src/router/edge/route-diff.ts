import type { ServiceRoute } from "../types.js";

/** What an edge router changes to serve the control plane's table: routes to apply, services to remove. */
export interface RouteDiff {
  apply: ServiceRoute[];
  remove: string[];
}

/** JSON with keys sorted, so the same route compares equal whatever order its keys were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Hosts compare lowercased, as the router stores them. */
const normalized = (r: ServiceRoute): ServiceRoute => ({ ...r, hosts: r.hosts.map((h) => h.toLowerCase()) });

/**
 * Pure: how to go from the routes an edge router has to the control plane's. A route that did
 * not change is left alone (re-applying it would cost a runtime-API round trip per server).
 */
export function diffRoutes(current: readonly ServiceRoute[], desired: readonly ServiceRoute[]): RouteDiff {
  const have = new Map(current.map((r) => [r.serviceId, canonical(normalized(r))]));
  const want = new Set(desired.map((r) => r.serviceId));
  return {
    apply: desired.filter((r) => have.get(r.serviceId) !== canonical(normalized(r))),
    remove: current.filter((r) => !want.has(r.serviceId)).map((r) => r.serviceId),
  };
}
