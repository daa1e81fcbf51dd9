import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { canaryBackendName, splitFrontendLines, splitOf } from "./traffic-split.js";
import type { RoutedInstance, ServiceRoute } from "./types.js";

/** Everything about the data plane that is not a service. */
export interface RouterSettings {
  /** Holds haproxy.cfg, hosts.map, the sockets, the pid file and the certificates. */
  routerDir: string;
  httpPort: number;
  /** 0 = no HTTPS frontend. */
  httpsPort: number;
  /** Loopback only; 127.0.0.1 when absent. */
  bindAddress?: string;
  /** One PEM with certificate, key and chain; required when httpsPort > 0. */
  tlsPem?: string;
  /** Default per-request timeout (`timeout server`); 120 s. */
  requestTimeoutMs?: number;
  /** How long a request may wait for a free instance slot (`timeout queue`); 30 s. */
  queueTimeoutMs?: number;
  /** `timeout client`; 120 s. */
  clientTimeoutMs?: number;
  /** Where the request-log ring forwards its lines over TCP, e.g. "127.0.0.1:5140" (src/router/request-log.ts). */
  logTarget?: string;
}

/** The access log line another part of OpenRunner parses: keep in sync with src/router/request-log-format.ts. */
export const LOG_FORMAT = "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc";
/** The ring request lines go through (see src/router/request-log.ts for why a ring). */
export const REQUEST_RING = "requests";
/**
 * Above this many requests a second, a service's requests are logged at random so that about
 * this many lines a second remain: enough for latency percentiles, while logging every request
 * cost ~10% of the data plane's throughput. Counts come from HAProxy's counters (request-counts.ts).
 */
export const LOGGED_REQUESTS_PER_SECOND = 200;

export const UNKNOWN_BACKEND = "be_unknown";
export const PAUSED_BACKEND = "be_paused";

export const paths = (routerDir: string) => ({
  config: join(routerDir, "haproxy.cfg"),
  hostsMap: join(routerDir, "hosts.map"),
  adminSocket: join(routerDir, "admin.sock"),
  masterSocket: join(routerDir, "master.sock"),
  pidFile: join(routerDir, "haproxy.pid"),
  log: join(routerDir, "haproxy.log"),
  routes: join(routerDir, "routes.json"),
  holdScript: join(routerDir, "hold.lua"),
  /** Custom domains: `*.example.com` as `example.com backend`, consulted when hosts.map misses. */
  wildcardsMap: join(routerDir, "wildcards.map"),
  /** HTTP-01: token -> key authorization. */
  challengesMap: join(routerDir, "acme-challenges.map"),
  /** The https bind's certificates: tls.pem first (the default), then certs/*.pem. */
  crtList: join(routerDir, "certificates.crtlist"),
  certsDir: join(routerDir, "certs"),
  /** Custom domain hosts per service (setCustomDomainHosts), kept across restarts. */
  customHosts: join(routerDir, "custom-hosts.json"),
  /** Gradual rollouts: `s_<serviceId> <percent>` of new clients to the new version (traffic-split.ts). */
  splitsMap: join(routerDir, "splits.map"),
});

export const backendName = (serviceId: string): string => `s_${serviceId}`;

/** Which backend a host of this route maps to: paused services share one 503 backend, switched at runtime. */
export const mapTarget = (route: ServiceRoute): string =>
  route.state === "paused" ? PAUSED_BACKEND : backendName(route.serviceId);

const NOT_FOUND_PAGE =
  "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>" +
  "<p>No service answers on this host name.</p></body></html>";
const PAUSED_PAGE =
  "<!DOCTYPE html><html><head><title>503 Service Paused</title></head><body><h1>This service is paused</h1>" +
  "<p>The owner of this service has paused it. It answers again once it is resumed.</p></body></html>";

const SAFE_TOKEN = /^[A-Za-z0-9._-]+$/;
const SAFE_HOST = /^[a-z0-9.-]+$/;
const SAFE_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;

/** Names go into the config unquoted: refuse anything that could change its meaning. */
function token(kind: string, value: string): string {
  if (!SAFE_TOKEN.test(value)) throw new AppRunnerError("InternalServiceError", `unsafe ${kind} for the HAProxy configuration: ${JSON.stringify(value)}`);
  return value;
}

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.max(1, Math.round(ms))}ms`);

/**
 * `weight` is 0 only for `add server` (HAProxy 2.6): a server that becomes usable with weight
 * hands itself requests from the backend queue without counting them against its maxconn
 * (pendconn_grab_from_px), so an instance with MaxConcurrency 1 got 2 requests at once during a
 * scale-out under load. Added at weight 0, forced up, then given weight 1, it takes queued
 * requests only through the counted path.
 *
 * `check` + `observe layer4` + `on-error mark-down`: the first refused connection takes a dead
 * instance out of rotation inside HAProxy, before the runtime notices. Without it, leastconn sent
 * every retry back to the dead instance (it holds no request), and a refused connect() is retried
 * at once, so requests ran out of retries in milliseconds and got 503 while other instances were
 * up. A TCP check every second while down (`downinter 1s`, `rise 1`) brings back an instance that
 * was marked down by mistake; while up, every 10 s is enough (the runtime checks health itself).
 */
export function serverLine(inst: RoutedInstance, maxConcurrency: number, weight?: 0): string {
  // The runtime's health checker decides which instances are listed at all; HAProxy's own check
  // only reacts to failures in between. The pool settings are a config server's defaults, spelled
  // out because a server added over the runtime API (`add server`, HAProxy 2.6) gets no
  // idle-connection pool otherwise: every request then opened a new connection to the instance
  // (measured: 13k vs 34k requests/s).
  return (
    `server ${token("instance id", inst.id)} ${token("address", inst.address)}:${inst.port} maxconn ${Math.max(1, maxConcurrency)}` +
    `${weight === 0 ? " weight 0" : ""} check inter 10s downinter 1s rise 1 observe layer4 error-limit 1 on-error mark-down` +
    " pool-max-conn -1 pool-purge-delay 5s"
  );
}

/** Between two looks of a held request for a server: short, as a wake from zero waits on it (issue 20). */
export const HOLD_POLL_MS = 5;
/**
 * During a held request's first HOLD_FAST_MS, it looks every HOLD_FAST_POLL_MS: a wake from an
 * instance made ahead takes tens of ms, and a 5 ms look added 2.5 ms to it on average. Past
 * that, the wake is a full start and 5 ms are nothing to it, and cost less CPU for a long hold
 * (measured in docs/performance.md, "Cold start").
 */
export const HOLD_FAST_POLL_MS = 1;
export const HOLD_FAST_MS = 100;

/** What held requests get when the instance their service was starting failed (TrafficRouter.startFailed). */
export const START_FAILED_PAGE =
  "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>The service could not start</h1>" +
  "<p>Its instance failed to start; the service's event log says why.</p></body></html>";

/**
 * The Lua action behind a service backend's hold rule: while the backend has no usable server
 * (a service at zero waking up, or its only instance died and the runtime is starting a
 * replacement), a request waits for one, up to its argument in ms, instead of getting 503 at once.
 * The CLI command `openrunner start-failed <backend> <ms>` (TrafficRouter.startFailed) answers
 * the requests held for that backend with 503 at once, and new ones for <ms> unless a server is
 * up: a crashing image answers clearly instead of holding requests until the queue timeout.
 * Written to paths().holdScript at start.
 */
export const HOLD_LUA = `-- Written by OpenRunner (src/router/haproxy-config.ts).
-- Boolean fetches come back as 0/1 in HAProxy 2.6, and 0 is true in Lua.
local function stopping(txn)
  local v = txn.f:stopping()
  return v == true or v == 1
end

local function now_ms()
  local t = core.now()
  return t.sec * 1000 + t.usec / 1000
end

-- backend name -> until when (ms) its held requests get 503.
local start_failed = {}

core.register_cli({ "openrunner", "start-failed" }, "openrunner start-failed <backend> <ms> : held requests of <backend> get 503", function(...)
  local words = {}
  for _, w in ipairs({ ... }) do
    if type(w) == "string" then words[#words + 1] = w end
  end
  for i = 1, #words do
    if words[i] == "start-failed" and words[i + 1] then
      start_failed[words[i + 1]] = now_ms() + (tonumber(words[i + 2]) or 0)
    end
  end
end)

local function failed_start(txn, backend)
  local till = start_failed[backend]
  if till == nil or till < now_ms() then return false end
  local reply = txn:reply()
  reply:set_status(503, "Service Unavailable")
  reply:add_header("content-type", "text/html")
  reply:add_header("retry-after", "5")
  reply:set_body("${START_FAILED_PAGE}")
  txn:done(reply)
  return true
end

core.register_action("openrunner_hold", { "http-req" }, function(txn, max_ms)
  local limit = tonumber(max_ms) or 0
  local backend = txn.f:be_name()
  local fast_until = now_ms() + ${HOLD_FAST_MS}
  local deadline = now_ms() + limit
  while txn.f:nbsrv() == 0 and not stopping(txn) and now_ms() < deadline do
    if failed_start(txn, backend) then return end
    if now_ms() < fast_until then core.msleep(${HOLD_FAST_POLL_MS}) else core.msleep(${HOLD_POLL_MS}) end
  end
end, 1)
`;

/** host -> backend (or the paused backend) of these routes. */
export function hostTargets(routes: Iterable<ServiceRoute>): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of routes) for (const h of r.hosts) m.set(h, mapTarget(r));
  return m;
}

/** The contents of hosts.map: `host backend` per line, sorted so renders are stable. */
export function renderHostsMap(routes: readonly ServiceRoute[]): string {
  const lines: string[] = [];
  for (const r of routes) {
    for (const h of r.hosts) {
      const host = h.toLowerCase();
      if (!SAFE_HOST.test(host)) throw new AppRunnerError("InternalServiceError", `unsafe host name ${JSON.stringify(h)}`);
      lines.push(`${host} ${mapTarget(r)}`);
    }
  }
  return lines.sort().join("\n") + (lines.length > 0 ? "\n" : "");
}

/**
 * Renders haproxy.cfg. Pure: the same settings and routes give the same text.
 * Hosts are NOT in the config: they live in hosts.map, which the runtime API edits in place.
 * The X-Request-Id header is always ours (an incoming one is replaced) so that it is unique.
 */
export function renderConfig(settings: RouterSettings, routes: readonly ServiceRoute[]): string {
  const p = paths(settings.routerDir);
  const bind = settings.bindAddress ?? "127.0.0.1";
  const https = settings.httpsPort > 0;
  if (https && !settings.tlsPem) throw new AppRunnerError("HostSetupFailed", "httpsPort is set but no TLS certificate was given.");
  const out: string[] = [];
  const line = (s: string) => out.push(s);

  line("# Rendered by OpenRunner (src/router/haproxy-config.ts); do not edit, it is rewritten on every change.");
  line("global");
  line("  master-worker");
  line(`  stats socket ${p.adminSocket} mode 600 level admin expose-fd listeners`);
  line(`  pidfile ${p.pidFile}`);
  line("  hard-stop-after 30s");
  line(`  lua-load ${p.holdScript}`);
  if (settings.logTarget) line(`  log ring@${REQUEST_RING} len 1024 local0 info`);
  line("");

  if (settings.logTarget) {
    line(`ring ${REQUEST_RING}`);
    line("  description \"one line per request for OpenRunner's metrics\"");
    line("  format raw");
    line("  maxlen 1024");
    // ~60,000 lines: a control plane restart or a busy second loses none.
    line("  size 4194304");
    line("  timeout connect 1s");
    line("  timeout server 30s");
    if (!SAFE_ADDRESS.test(settings.logTarget)) throw new AppRunnerError("InternalServiceError", `unsafe log target ${JSON.stringify(settings.logTarget)}`);
    line(`  server openrunner ${settings.logTarget}`);
    line("");
  }

  line("defaults");
  line("  mode http");
  if (settings.logTarget) line("  log global");
  line(`  log-format "${LOG_FORMAT}"`);
  line("  option forwardfor");
  line("  http-reuse safe");
  line("  timeout connect 5s");
  line(`  timeout client ${seconds(settings.clientTimeoutMs ?? 120_000)}`);
  line(`  timeout server ${seconds(settings.requestTimeoutMs ?? 120_000)}`);
  line(`  timeout queue ${seconds(settings.queueTimeoutMs ?? 30_000)}`);
  line("  timeout http-request 30s");
  line("  timeout http-keep-alive 60s");
  line("  timeout tunnel 1h");
  // A half-closed connection (WebSocket included) is not kept for the tunnel's hour.
  line("  timeout client-fin 10s");
  line("  timeout server-fin 10s");
  line("  retries 3");
  // Every retry picks an instance again: one that died is not retried while others answer.
  line("  option redispatch 1");
  // An instance that died with requests in flight answers nothing: idempotent ones go to
  // another instance. Not after `timeout server`: that would multiply the request timeout.
  line("  retry-on conn-failure empty-response");
  line("  unique-id-format %[uuid]");
  line("");

  const frontend = (name: string, port: number, proto: "http" | "https") => {
    line(`frontend ${name}`);
    // crt-list: its first line (tls.pem) is the default certificate, custom domains' follow by SNI.
    line(proto === "https" ? `  bind ${bind}:${port} ssl crt-list ${p.crtList} alpn h2,http/1.1` : `  bind ${bind}:${port}`);
    if (proto === "http") {
      // HTTP-01 answers for any Host before the HTTPS redirect and before routing; unknown tokens fall through.
      const key = `path,field(4,/),map(${p.challengesMap})`;
      line(`  http-request return status 200 content-type text/plain lf-string "%[${key}]" if { path_beg /.well-known/acme-challenge/ } { ${key} -m found }`);
    }
    if (proto === "http" && https) {
      const portPart = settings.httpsPort === 443 ? "" : `:${settings.httpsPort}`;
      line(`  http-request redirect location https://%[req.hdr(host),field(1,:),lower]${portPart}%[capture.req.uri] code 301`);
    }
    line(`  http-request set-header X-Forwarded-Proto ${proto}`);
    line(`  http-request set-header X-Forwarded-Port ${port}`);
    line("  http-request set-header X-Request-Id %[unique-id]");
    // Only idempotent requests are retried after they reached an instance (RFC 9110 9.2.2).
    line("  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS || { method PUT DELETE TRACE }");
    // Exact names (ServiceUrls, custom domains) first; `*.parent` custom domains only when they miss.
    line(`  http-request set-var(txn.or_backend) req.hdr(host),field(1,:),lower,map(${p.hostsMap})`);
    line(`  http-request set-var(txn.or_backend) req.hdr(host),field(1,:),lower,regsub(^[^.]+[.],),map(${p.wildcardsMap}) unless { var(txn.or_backend) -m found }`);
    for (const l of splitFrontendLines(routes, p.splitsMap, backendName)) line(l);
    line("  use_backend %[var(txn.or_backend)] if { var(txn.or_backend) -m found }");
    line(`  default_backend ${UNKNOWN_BACKEND}`);
    line("");
  };
  frontend("http", settings.httpPort, "http");
  if (https) frontend("https", settings.httpsPort, "https");

  line(`backend ${UNKNOWN_BACKEND}`);
  line(`  http-request return status 404 content-type text/html string "${NOT_FOUND_PAGE}"`);
  line("");
  line(`backend ${PAUSED_BACKEND}`);
  line(`  http-request return status 503 content-type text/html string "${PAUSED_PAGE}" hdr Retry-After 60`);
  line("");

  for (const r of [...routes].sort((a, b) => a.serviceId.localeCompare(b.serviceId))) {
    line(`# service ${token("service name", r.serviceName)} (${r.state})`);
    renderBackend(line, settings, r, backendName(token("service id", r.serviceId)), r.state === "serving" ? r.instances : []);
    const split = splitOf(r);
    if (split) renderBackend(line, settings, r, canaryBackendName(r.serviceId), split.instances);
  }
  return out.join("\n");
}

/** One backend of a service: its own (`s_`), or the new version's during a gradual rollout (`c_`). */
function renderBackend(line: (s: string) => void, settings: RouterSettings, r: ServiceRoute, name: string, instances: readonly RoutedInstance[]): void {
  line(`backend ${name}`);
  line("  balance leastconn");
  if (settings.logTarget) {
    // Keep a request's line with probability min(1, N / rate): rand in [0, 1e6) x rate < N x 1e6.
    line("  http-request set-var(txn.or_rate) be_sess_rate");
    line(`  http-request set-log-level silent if { rand(1000000),mul(txn.or_rate) ge ${LOGGED_REQUESTS_PER_SECOND * 1_000_000} }`);
  }
  if (r.requestTimeoutMs !== undefined) line(`  timeout server ${seconds(r.requestTimeoutMs)}`);
  if (r.tracing) {
    // X-Ray trace id: Root=1-<8 hex epoch seconds>-<24 hex random>; an incoming one is kept.
    line(
      '  http-request set-header X-Amzn-Trace-Id "Root=1-%[date,bytes(4),hex,lower]-%[uuid,regsub(-,,g),bytes(0,24)]" unless { req.hdr(x-amzn-trace-id) -m found }',
    );
  }
  // No instance to send to (its only one died, a replacement is starting): wait for one, as long
  // as a request may wait for a busy instance, instead of answering 503 at once. Not in a worker
  // that a reload replaced: it counts no usable server in any backend (they are "stopped").
  line(`  http-request lua.openrunner_hold ${settings.queueTimeoutMs ?? 30_000} if { nbsrv lt 1 } !{ stopping }`);
  // The runtime's health checker decides membership (servers come and go by apply()).
  for (const inst of instances) line(`  ${serverLine(inst, r.maxConcurrency)}`);
  line("");
}
