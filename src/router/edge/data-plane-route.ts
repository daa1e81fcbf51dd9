import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Random } from "../../util/random.js";
import { hasBearerToken, readOrCreateBearerToken } from "../../util/bearer-token.js";
import { BodyTooLargeError, readBody } from "../../util/request-body.js";
import type { EdgeLoadReports } from "./load-merge.js";
import { parseLoadReport } from "./load-report.js";
import type { RouteTable } from "./route-table.js";

export const DATA_PLANE_ROUTES_PATH = "/openrunner/data-plane/routes";
export const DATA_PLANE_LOAD_PATH = "/openrunner/data-plane/load";
export const DATA_PLANE_TOKEN_FILE = "data-plane.token";
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The token edge routers present: made once, 0600, in the data directory; copy it to each node. */
export function dataPlaneToken(dataDir: string, random: Random): string {
  return readOrCreateBearerToken(join(dataDir, DATA_PLANE_TOKEN_FILE), random);
}

export interface DataPlaneRouteOptions {
  token: string;
  /** The local router's desired routes, versioned. */
  table: RouteTable;
  reports: EdgeLoadReports;
}

/** An HttpRoute of src/modules.ts (the router layer names its shape instead of importing it). */
export interface DataPlaneRoute {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const pathOf = (req: IncomingMessage): string => (req.url ?? "").split("?")[0] ?? "";

/**
 * The edge routers' side of the control plane: `GET /openrunner/data-plane/routes` answers the
 * local router's desired routes with an ETag, `POST /openrunner/data-plane/load` takes one edge
 * router's load ({name, loads}) for the autoscaler. Both need `Authorization: Bearer <token>`.
 */
export function dataPlaneRoute(opts: DataPlaneRouteOptions): DataPlaneRoute {
  return {
    matches: (req) =>
      (req.method === "GET" && pathOf(req) === DATA_PLANE_ROUTES_PATH) || (req.method === "POST" && pathOf(req) === DATA_PLANE_LOAD_PATH),
    async handle(req, res) {
      if (!hasBearerToken(req, opts.token)) {
        res.writeHead(401, { "content-type": "text/plain" }).end("missing or wrong bearer token\n");
        req.resume();
        return;
      }
      if (req.method === "GET") {
        // An unchanged table (the edge router sends its version back) is a 304 with no body.
        const { body, etag } = opts.table.current();
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, { etag }).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json", etag, "cache-control": "no-cache" }).end(body);
        return;
      }
      let raw: Buffer;
      try {
        raw = await readBody(req, MAX_BODY_BYTES);
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) throw err;
        res.writeHead(413).end();
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "text/plain" }).end("the body is not JSON\n");
        return;
      }
      const report = parseLoadReport(parsed);
      if (typeof report === "string") {
        res.writeHead(400, { "content-type": "text/plain" }).end(`${report}\n`);
        return;
      }
      opts.reports.record(report);
      res.writeHead(204).end();
    },
  };
}
