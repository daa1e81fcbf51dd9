import { createReadStream, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpRoute } from "../modules.js";

/** Where `npx vite build console` writes the console, relative to dist/src/console/route.js. */
export const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL("../../../console/dist/", import.meta.url));

export interface ConsoleRouteOptions {
  region: string;
  baseDomain: string;
  /** The built single-page app; DEFAULT_CONSOLE_DIST unless a test serves another build. */
  distDir?: string;
  /**
   * How the console links a service's default domain, `{host}` being its ServiceUrl. App
   * Runner's `https://{host}` unless the data plane says where it listens (e.g. `http://{host}:8080`).
   */
  serviceUrlTemplate?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

const PREFIX = "/console";
const pathOf = (req: IncomingMessage): string => (req.url ?? "/").split("?")[0] ?? "/";
const isRead = (req: IncomingMessage): boolean => req.method === "GET" || req.method === "HEAD";
/** A browser navigating to the endpoint's root; SDKs and the CLI POST to `/` and never ask for HTML. */
const wantsHtml = (req: IncomingMessage): boolean => /\btext\/html\b/.test(req.headers.accept ?? "");

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body: string): void {
  res.writeHead(status, { ...headers, "Content-Length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * The web console: the built single-page app under /console/, its unauthenticated settings
 * at /console/config.json (nothing secret: the region and base domain every service URL
 * shows anyway), and a redirect from `GET /` for browsers. The app itself calls the same
 * signed APIs as the CLI on this origin, so the route needs no credentials of its own.
 */
export function consoleRoute(opts: ConsoleRouteOptions): HttpRoute {
  const dist = normalize(opts.distDir ?? DEFAULT_CONSOLE_DIST);
  const config = JSON.stringify({
    region: opts.region,
    baseDomain: opts.baseDomain,
    serviceUrlTemplate: opts.serviceUrlTemplate ?? "https://{host}",
  });
  return {
    matches(req) {
      if (!isRead(req)) return false;
      const path = pathOf(req);
      return path === PREFIX || path.startsWith(`${PREFIX}/`) || (path === "/" && wantsHtml(req));
    },
    async handle(req, res) {
      const path = pathOf(req);
      if (path === "/" || path === PREFIX) {
        send(req, res, 302, { Location: `${PREFIX}/`, "Content-Type": "text/plain; charset=utf-8" }, "See /console/\n");
        return;
      }
      if (path === `${PREFIX}/config.json`) {
        send(req, res, 200, { "Content-Type": "application/json", "Cache-Control": "no-store" }, config);
        return;
      }
      let relative: string;
      try {
        relative = decodeURIComponent(path.slice(PREFIX.length + 1));
      } catch {
        send(req, res, 400, { "Content-Type": "text/plain; charset=utf-8" }, "Bad path\n");
        return;
      }
      const file = normalize(join(dist, relative));
      const inside = file.startsWith(dist.endsWith(sep) ? dist : `${dist}${sep}`);
      const asset = inside && relative !== "" ? await fileStats(file) : undefined;
      if (asset) {
        // Vite names everything under assets/ by content hash: it never changes under a name.
        const immutable = relative.startsWith("assets/");
        res.writeHead(200, {
          "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
          "Content-Length": asset.size,
          "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          "X-Content-Type-Options": "nosniff",
        });
        if (req.method === "HEAD") res.end();
        else await pipeFile(file, res);
        return;
      }
      if (relative.startsWith("assets/") || extname(relative) !== "") {
        send(req, res, 404, { "Content-Type": "text/plain; charset=utf-8" }, "Not found\n");
        return;
      }
      // Any other path is a client-side route: the app's index.html, which is never cached.
      const index = join(dist, "index.html");
      const stats = await fileStats(index);
      if (!stats) {
        send(req, res, 503, { "Content-Type": "text/plain; charset=utf-8" }, "The console is not built: run `npx vite build console`.\n");
        return;
      }
      res.writeHead(200, {
        "Content-Type": CONTENT_TYPES[".html"] ?? "text/html",
        "Content-Length": stats.size,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
      });
      if (req.method === "HEAD") res.end();
      else await pipeFile(index, res);
    },
  };
}

function pipeFile(path: string, res: ServerResponse): Promise<void> {
  return new Promise((ok, fail) => {
    const stream = createReadStream(path);
    stream.once("error", fail);
    res.once("finish", () => ok());
    res.once("close", () => ok());
    stream.pipe(res);
  });
}
