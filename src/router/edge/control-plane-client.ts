import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ServiceRoute } from "../types.js";
import { DATA_PLANE_LOAD_PATH, DATA_PLANE_ROUTES_PATH } from "./data-plane-route.js";
import type { LoadReport } from "./load-report.js";
import { startFailuresOf, type StartFailureNotice } from "./start-failures.js";

/** What an edge router asks of the control plane. */
export interface ControlPlaneClient {
  /** The routes, or "unchanged" when they still have version `etag`. */
  routes(etag: string | undefined, signal: AbortSignal): Promise<{ etag: string; routes: ServiceRoute[]; startFailed?: StartFailureNotice[] } | "unchanged">;
  report(report: LoadReport, signal: AbortSignal): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 2_000;

const unreachable = (url: string, err: unknown): AppRunnerError =>
  new AppRunnerError("RuntimeUnavailable", `The control plane at ${url} cannot be reached: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);

/** Pure enough: the routes in a GET's JSON body, refusing what is not a route table. */
export function routesOf(body: unknown): ServiceRoute[] {
  const routes = (body as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(routes) || !routes.every((r) => typeof (r as ServiceRoute | null)?.serviceId === "string" && Array.isArray((r as ServiceRoute).instances) && Array.isArray((r as ServiceRoute).hosts))) {
    throw new AppRunnerError("InternalServiceError", "The control plane answered something that is not a route table.");
  }
  return routes as ServiceRoute[];
}

/** The control plane's data-plane endpoints over HTTP (fetch), with the bearer token. */
export function httpControlPlane(baseUrl: string, token: string): ControlPlaneClient {
  const base = baseUrl.replace(/\/+$/, "");
  const call = async (path: string, init: RequestInit, signal: AbortSignal): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (err) {
      throw unreachable(base, err);
    }
  };
  const refused = async (res: Response, what: string): Promise<AppRunnerError> =>
    new AppRunnerError(res.status === 401 ? "AccessDenied" : "InternalServiceError", `The control plane refused ${what}: HTTP ${res.status} ${(await res.text()).trim()}`);
  return {
    async routes(etag, signal) {
      const res = await call(DATA_PLANE_ROUTES_PATH, { headers: etag ? { "if-none-match": etag } : {} }, signal);
      if (res.status === 304) return "unchanged";
      if (res.status !== 200) throw await refused(res, "the routes");
      const body: unknown = await res.json();
      return { etag: res.headers.get("etag") ?? "", routes: routesOf(body), startFailed: startFailuresOf(body) };
    },
    async report(report, signal) {
      const res = await call(DATA_PLANE_LOAD_PATH, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report) }, signal);
      if (res.status !== 204) throw await refused(res, "the load report");
    },
  };
}
