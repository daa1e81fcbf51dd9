import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRoute } from "../../../modules.js";
import type { Clock } from "../../../util/clock.js";
import { processFacts, renderPrometheus } from "./render.js";
import type { PrometheusState } from "./state.js";

/** An instance that has not reported for this long is gone (or its runtime is stuck). */
const INSTANCE_STALE_SECONDS = 300;

const pathOf = (req: IncomingMessage): string => (req.url ?? "/").split("?")[0] ?? "/";

/**
 * GET /metrics in Prometheus text format 0.0.4. Unauthenticated, as scrape endpoints are:
 * the API listens on loopback by default, and the page shows counts and service names, never
 * request contents or credentials. Exposing the API port beyond the host exposes this too.
 */
export function prometheusRoute(state: PrometheusState, clock: Clock): HttpRoute {
  return {
    matches: (req) => (req.method === "GET" || req.method === "HEAD") && pathOf(req) === "/metrics",
    handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const nowSecond = Math.floor(clock.now() / 1000);
      const body = renderPrometheus(state, processFacts(), nowSecond - INSTANCE_STALE_SECONDS);
      res.writeHead(200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
        "Cache-Control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return Promise.resolve();
    },
  };
}
