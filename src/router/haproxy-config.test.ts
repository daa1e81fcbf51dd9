import assert from "node:assert/strict";
import { test } from "node:test";
import { HOLD_FAST_MS, HOLD_FAST_POLL_MS, HOLD_LUA, HOLD_POLL_MS, START_FAILED_PAGE, LOG_FORMAT, renderConfig, renderHostsMap, serverLine, type RouterSettings } from "./haproxy-config.js";
import type { ServiceRoute } from "./types.js";

const base: RouterSettings = { routerDir: "/r", httpPort: 8080, httpsPort: 0 };
const svc = (over: Partial<ServiceRoute> = {}): ServiceRoute => ({
  serviceId: "abc123",
  serviceName: "web",
  hosts: ["web.us-east-1.example.test"],
  state: "serving",
  maxConcurrency: 100,
  instances: [{ id: "0123456789abcdef0123456789abcdef", address: "127.202.0.2", port: 8080 }],
  ...over,
});

interface Case {
  name: string;
  settings?: Partial<RouterSettings>;
  routes: ServiceRoute[];
  has: Array<string | RegExp>;
  lacks?: Array<string | RegExp>;
}

const cases: Case[] = [
  {
    name: "global and defaults",
    routes: [],
    has: [
      "  master-worker",
      "  stats socket /r/admin.sock mode 600 level admin expose-fd listeners",
      "  pidfile /r/haproxy.pid",
      "  hard-stop-after 30s",
      "  timeout server 120s",
      "  timeout queue 30s",
      "  timeout tunnel 1h",
      "  retry-on conn-failure empty-response",
      "  option redispatch 1",
      "  retries 3",
      "  option forwardfor",
      `  log-format "${LOG_FORMAT}"`,
    ],
    lacks: [/^ {2}log /m, "frontend https"],
  },
  {
    name: "log target and router timeouts",
    settings: { logTarget: "127.0.0.1:5140", requestTimeoutMs: 60_000, queueTimeoutMs: 2500 },
    routes: [svc()],
    has: ["  log ring@requests len 1024 local0 info", "ring requests", "  format raw", "  server openrunner 127.0.0.1:5140", "  log global",
      "  http-request set-var(txn.or_rate) be_sess_rate",
      "  http-request set-log-level silent if { rand(1000000),mul(txn.or_rate) ge 200000000 }", "  timeout server 60s", "  timeout queue 2500ms",
      "  http-request lua.openrunner_hold 2500 if { nbsrv lt 1 } !{ stopping }"],
  },
  {
    name: "http only: routing by host map, no redirect",
    routes: [svc()],
    has: [
      "  bind 127.0.0.1:8080",
      "  http-request set-var(txn.or_backend) req.hdr(host),field(1,:),lower,map(/r/hosts.map)",
      "  http-request set-var(txn.or_backend) req.hdr(host),field(1,:),lower,regsub(^[^.]+[.],),map(/r/wildcards.map) unless { var(txn.or_backend) -m found }",
      "  use_backend %[var(txn.or_backend)] if { var(txn.or_backend) -m found }",
      "  default_backend be_unknown",
      '  http-request return status 200 content-type text/plain lf-string "%[path,field(4,/),map(/r/acme-challenges.map)]" if { path_beg /.well-known/acme-challenge/ } { path,field(4,/),map(/r/acme-challenges.map) -m found }',
      "  http-request set-header X-Forwarded-Proto http",
      "  http-request set-header X-Forwarded-Port 8080",
      "  http-request set-header X-Request-Id %[unique-id]",
      "backend be_unknown",
      'http-request return status 404 content-type text/html string "',
    ],
    lacks: ["redirect", "ssl crt", "set-log-level"],
  },
  {
    name: "https on: h2 + redirect",
    settings: { httpsPort: 8443, tlsPem: "/r/tls.pem" },
    routes: [svc()],
    has: [
      "  bind 127.0.0.1:8443 ssl crt-list /r/certificates.crtlist alpn h2,http/1.1",
      // HTTP-01 is answered before the redirect sends everything to HTTPS.
      /acme-challenges\.map\) -m found \}\n {2}http-request redirect location https:/,
      "  http-request redirect location https://%[req.hdr(host),field(1,:),lower]:8443%[capture.req.uri] code 301",
      "  http-request set-header X-Forwarded-Proto https",
      "  http-request set-header X-Forwarded-Port 8443",
    ],
  },
  {
    name: "https on 443: redirect without port",
    settings: { httpsPort: 443, httpPort: 80, tlsPem: "/r/tls.pem" },
    routes: [],
    has: ["  http-request redirect location https://%[req.hdr(host),field(1,:),lower]%[capture.req.uri] code 301"],
  },
  {
    // HAProxy's own check only takes an instance out on a refused connection (observe layer4) and
    // back in on the next connect (rise 1); the runtime's health checker decides membership.
    name: "serving service: leastconn, maxconn servers marked down by their first refused connection, requests held while none is usable",
    routes: [svc({ maxConcurrency: 7 })],
    has: [
      "backend s_abc123",
      "  balance leastconn",
      "  server 0123456789abcdef0123456789abcdef 127.202.0.2:8080 maxconn 7 check inter 10s downinter 1s rise 1 observe layer4 error-limit 1 on-error mark-down pool-max-conn -1 pool-purge-delay 5s",
      "  http-request lua.openrunner_hold 30000 if { nbsrv lt 1 } !{ stopping }",
      "  lua-load /r/hold.lua",
    ],
    lacks: [" weight ", "X-Amzn-Trace-Id", "agent-check", " fall "],
  },
  {
    name: "paused service: backend without servers; 503 page exists",
    routes: [svc({ state: "paused" })],
    has: ["backend s_abc123", "backend be_paused", /http-request return status 503 .*This service is paused/],
    lacks: ["  server 0123"],
  },
  {
    name: "per-service timeout and tracing",
    routes: [svc({ requestTimeoutMs: 15_000, tracing: true })],
    has: [
      /backend s_abc123\n {2}balance leastconn\n {2}timeout server 15s\n/,
      '  http-request set-header X-Amzn-Trace-Id "Root=1-%[date,bytes(4),hex,lower]-%[uuid,regsub(-,,g),bytes(0,24)]" unless { req.hdr(x-amzn-trace-id) -m found }',
    ],
  },
];

for (const c of cases) {
  test(`renderConfig: ${c.name}`, () => {
    const text = renderConfig({ ...base, ...c.settings }, c.routes);
    for (const h of c.has) {
      if (typeof h === "string") assert.ok(text.includes(h), `missing ${JSON.stringify(h)} in\n${text}`);
      else assert.match(text, h);
    }
    for (const l of c.lacks ?? []) {
      if (typeof l === "string") assert.ok(!text.includes(l), `unexpected ${JSON.stringify(l)}`);
      else assert.doesNotMatch(text, l);
    }
  });
}

test("renderConfig is stable and refuses unsafe names", () => {
  const two = [svc(), svc({ serviceId: "aaa", hosts: ["x.test"] })];
  assert.equal(renderConfig(base, two), renderConfig(base, [...two].reverse()));
  assert.throws(() => renderConfig(base, [svc({ serviceId: "a b" })]));
  assert.throws(() => renderConfig(base, [svc({ instances: [{ id: "x\nglobal", address: "127.0.0.1", port: 1 }] })]));
  assert.throws(() => renderConfig({ ...base, httpsPort: 443 }, []), /certificate/);
  assert.throws(() => renderConfig({ ...base, logTarget: "127.0.0.1:1\nglobal" }, []), /unsafe log target/);
});

test("renderHostsMap: lowercased, sorted, paused hosts go to be_paused", () => {
  const text = renderHostsMap([
    svc({ hosts: ["B.test", "a.test"] }),
    svc({ serviceId: "zzz", state: "paused", hosts: ["c.test"] }),
  ]);
  assert.equal(text, "a.test s_abc123\nb.test s_abc123\nc.test be_paused\n");
  assert.equal(renderHostsMap([]), "");
  assert.throws(() => renderHostsMap([svc({ hosts: ["evil host"] })]));
});

test("serverLine: a server added at runtime starts at weight 0 (HAProxy then hands it no queued request uncounted)", () => {
  const inst = { id: "0123456789abcdef0123456789abcdef", address: "127.202.0.2", port: 8080 };
  assert.match(serverLine(inst, 1, 0), /^server 0123456789abcdef0123456789abcdef 127\.202\.0\.2:8080 maxconn 1 weight 0 check /);
  assert.doesNotMatch(serverLine(inst, 1), / weight /);
  assert.match(serverLine(inst, 0), / maxconn 1 /);
});

test("HOLD_LUA waits only while the backend has no usable server, never in a stopping worker, and for at most its argument", () => {
  assert.match(HOLD_LUA, /core\.register_action\("openrunner_hold", \{ "http-req" \}/);
  // A deadline, not a sum of sleeps: a sleep of HOLD_POLL_MS can take longer on a busy worker.
  assert.match(HOLD_LUA, /local deadline = now_ms\(\) \+ limit\n {2}while txn\.f:nbsrv\(\) == 0 and not stopping\(txn\) and now_ms\(\) < deadline do/);
  assert.match(HOLD_LUA, /return v == true or v == 1/);
});

test("HOLD_LUA looks every HOLD_FAST_POLL_MS during a held request's first HOLD_FAST_MS, then every HOLD_POLL_MS", () => {
  assert.equal(HOLD_FAST_POLL_MS < HOLD_POLL_MS, true);
  assert.match(HOLD_LUA, new RegExp(`local fast_until = now_ms\\(\\) \\+ ${HOLD_FAST_MS}\n`));
  assert.match(HOLD_LUA, new RegExp(`if now_ms\\(\\) < fast_until then core\\.msleep\\(${HOLD_FAST_POLL_MS}\\) else core\\.msleep\\(${HOLD_POLL_MS}\\) end`));
});

test("HOLD_LUA answers held requests 503 once the router is told their service's start failed", () => {
  assert.match(HOLD_LUA, /core\.register_cli\(\{ "openrunner", "start-failed" \}/);
  assert.match(HOLD_LUA, /if failed_start\(txn, backend\) then return end/);
  assert.match(HOLD_LUA, /reply:set_status\(503, "Service Unavailable"\)/);
  // The page goes into a Lua string literal: a double quote would end it.
  assert.doesNotMatch(START_FAILED_PAGE, /"/);
});
