import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect as h2connect } from "node:http2";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BackendPool, decodeFrame, encodeFrame, type BackendReply, type BackendServer } from "../../test/support/backend-server.js";
import { HaproxyRouter } from "./router.js";
import type { ServiceRoute } from "./types.js";
import { skipUnlessOnPath } from "../../test/support/host-tools.js";

const REGION = "us-east-1";
const DOMAIN = "openrunner.test";
const hostOf = (name: string) => `${name}.${REGION}.${DOMAIN}`;
const logger = () => undefined;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", () => ok()));
  const addr = srv.address();
  await new Promise<void>((ok) => srv.close(() => ok()));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, host: string, path = "/", headers: Record<string, string> = {}, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host, ...headers }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const json = (r: Reply): BackendReply => JSON.parse(r.body) as BackendReply;

function route(id: string, name: string, backends: BackendServer[], extra: Partial<ServiceRoute> = {}): ServiceRoute {
  return {
    serviceId: id,
    serviceName: name,
    hosts: [hostOf(name)],
    state: "serving",
    maxConcurrency: 100,
    instances: backends.map((b) => ({ id: `${b.name}`, address: b.address, port: b.port })),
    ...extra,
  };
}

describe("HaproxyRouter", { skip: skipUnlessOnPath("haproxy") }, () => {
  let dir: string;
  let router: HaproxyRouter;
  let httpPort: number;
  let httpsPort: number;
  let plainPort: number;
  let plainRouter: HaproxyRouter;
  const pool = new BackendPool();
  const logs: string[] = [];
  // Stands in for RequestLogReceiver: the ring's forwarder connects and streams lines.
  const ringConnections = new Set<Socket>();
  const ringReceiver = createServer((socket) => {
    ringConnections.add(socket);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => logs.push(...chunk.split("\n").filter((l) => l !== "")));
    socket.on("error", () => {});
  });
  const backend = (name: string, delay = 0) => pool.start(name, delay);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "or-router-"));
    [httpPort, httpsPort, plainPort] = [await freePort(), await freePort(), await freePort()];
    router = new HaproxyRouter({ routerDir: join(dir, "tls"), httpPort, httpsPort, region: REGION, baseDomain: DOMAIN, logger });
    await new Promise<void>((ok) => ringReceiver.listen(0, "127.0.0.1", () => ok()));
    const logTarget = `127.0.0.1:${(ringReceiver.address() as AddressInfo).port}`;
    plainRouter = new HaproxyRouter({ routerDir: join(dir, "plain"), httpPort: plainPort, httpsPort: 0, region: REGION, baseDomain: DOMAIN, logger, logTarget });
    await Promise.all([router.start(), plainRouter.start()]);
  });

  after(async () => {
    await Promise.all([router.stop(), plainRouter.stop()]);
    await pool.closeAll();
    for (const socket of ringConnections) socket.destroy();
    await new Promise<void>((ok) => ringReceiver.close(() => ok()));
    await rm(dir, { recursive: true, force: true });
  });

  test("two services answer on their own host; unknown host 404; host with port and mixed case routes", async () => {
    const [a, b] = [await backend("aaaa"), await backend("bbbb")];
    await plainRouter.apply(route("svc1", "alpha", [a]));
    await plainRouter.apply(route("svc2", "beta", [b]));
    assert.equal(json(await get(plainPort, hostOf("alpha"))).name, "aaaa");
    assert.equal(json(await get(plainPort, hostOf("beta"))).name, "bbbb");
    assert.equal(json(await get(plainPort, `${hostOf("ALPHA").toUpperCase()}:${plainPort}`)).name, "aaaa");
    const unknown = await get(plainPort, hostOf("nobody"));
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /No service answers/);
    for (let i = 0; i < 50 && !logs.some((l) => l.includes("or1 be_unknown <NOSRV> 404 ")); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(logs.some((l) => /^or1 s_svc1 aaaa 200 \d+ \d+ \d+\/\d+\/\d+$/.test(l.trim())), logs.join("\n"));
    assert.ok(logs.some((l) => l.includes("or1 be_unknown <NOSRV> 404 ")), logs.join("\n"));
    // Counts come from HAProxy's counters: exact whatever share of requests is logged.
    const counters = await plainRouter.counters();
    assert.ok(counters.worker > 0);
    const svc1 = counters.backends.find((b) => b.serviceId === "svc1");
    assert.deepEqual(svc1 && { requests: svc1.requests, status2xx: svc1.status2xx }, { requests: 2, status2xx: 2 });
  });

  test("paused answers 503 with the page, resumes without reload", async () => {
    const a = await backend("cccc");
    await plainRouter.apply(route("svc3", "gamma", [a]));
    const reloads = plainRouter.reloadTimes.length;
    await plainRouter.apply(route("svc3", "gamma", [], { state: "paused" }));
    const paused = await get(plainPort, hostOf("gamma"));
    assert.equal(paused.status, 503);
    assert.match(paused.body, /This service is paused/);
    await plainRouter.apply(route("svc3", "gamma", [a]));
    assert.equal(json(await get(plainPort, hostOf("gamma"))).name, "cccc");
    assert.equal(plainRouter.reloadTimes.length, reloads, "pause/resume needs no reload");
  });

  test("forwarded headers, request id, tracing", async () => {
    const a = await backend("dddd");
    await plainRouter.apply(route("svc4", "delta", [a], { tracing: true }));
    const h = json(await get(plainPort, hostOf("delta"), "/", { "x-request-id": "mine" })).headers;
    assert.equal(h["x-forwarded-for"], "127.0.0.1");
    assert.equal(h["x-forwarded-proto"], "http");
    assert.equal(h["x-forwarded-port"], String(plainPort));
    assert.match(String(h["x-request-id"]), /^[0-9a-f-]{36}$/);
    const trace = String(h["x-amzn-trace-id"]);
    assert.match(trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const epoch = parseInt(trace.slice(7, 15), 16);
    assert.ok(Math.abs(epoch - Date.now() / 1000) < 60, trace);
    const kept = json(await get(plainPort, hostOf("delta"), "/", { "x-amzn-trace-id": "Root=1-00000000-000000000000000000000001" }));
    assert.equal(kept.headers["x-amzn-trace-id"], "Root=1-00000000-000000000000000000000001");
  });

  test("HTTPS with the local CA, HTTP/2, and HTTP redirects to HTTPS", async () => {
    const a = await backend("eeee");
    await router.apply(route("svc5", "epsilon", [a]));
    const ca = readFileSync(router.caCertPath ?? "");
    const host = hostOf("epsilon");
    const res = await new Promise<Reply>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port: httpsPort, servername: host, ca, headers: { host }, agent: false }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(res.status, 200);
    assert.equal(json(res).headers["x-forwarded-proto"], "https");

    const redirect = await get(httpPort, `${host}:${httpPort}`, "/p?q=1");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, `https://${host}:${httpsPort}/p?q=1`);

    const session = h2connect(`https://127.0.0.1:${httpsPort}`, { ca, servername: host });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const s = session.request({ ":path": "/h2", ":authority": host });
        const chunks: Buffer[] = [];
        s.on("data", (c: Buffer) => chunks.push(c));
        s.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        s.on("error", reject);
        s.end();
      });
      assert.equal((JSON.parse(body) as BackendReply).name, "eeee");
    } finally {
      session.close();
    }
  });

  test("WebSocket upgrade gets 101 and frames flow both ways", async () => {
    const a = await backend("ffff");
    await plainRouter.apply(route("svc6", "zeta", [a]));
    const sock = netConnect(plainPort, "127.0.0.1");
    try {
      const data: Buffer[] = [];
      sock.on("data", (c: Buffer) => data.push(c));
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: ${hostOf("zeta")}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const waitFor = async (pred: () => boolean) => {
        for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      await waitFor(() => Buffer.concat(data).includes("\r\n\r\n"));
      const head = Buffer.concat(data).toString("latin1");
      assert.match(head, /^HTTP\/1\.1 101/);
      data.length = 0;
      sock.write(encodeFrame("hello", true));
      await waitFor(() => data.length > 0);
      assert.equal(decodeFrame(Buffer.concat(data)), "ffff:hello");
    } finally {
      sock.destroy();
    }
  });

  test("maxConcurrency queues excess requests", async () => {
    const a = await backend("gggg", 300);
    await plainRouter.apply(route("svc7", "eta", [a], { maxConcurrency: 2 }));
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(plainPort, hostOf("eta"))));
    assert.deepEqual(replies.map((r) => r.status), Array(10).fill(200));
    assert.ok(a.maxInFlight <= 2, `max in flight ${a.maxInFlight}`);
    assert.equal(a.maxInFlight, 2);
  });

  test("apply() swaps instances with no failed request and no reload", async () => {
    const [old, fresh] = [await backend("hhhh", 500), await backend("iiii")];
    await plainRouter.apply(route("svc8", "theta", [old]));
    const reloads = plainRouter.reloadTimes.length;
    const workerBefore = (await plainRouter.process.procs()).workers;
    const inFlight = Array.from({ length: 5 }, () => get(plainPort, hostOf("theta")));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await plainRouter.apply(route("svc8", "theta", [fresh]));
    const applyMs = performance.now() - t0;
    const after = await get(plainPort, hostOf("theta"));
    assert.equal(json(after).name, "iiii");
    const results = await Promise.all(inFlight);
    assert.deepEqual(results.map((r) => [r.status, json(r).name]), Array(5).fill([200, "hhhh"]));
    await plainRouter.drain("svc8", ["hhhh"], 5000);
    const state = await plainRouter.process.admin.command("show servers state s_svc8");
    assert.doesNotMatch(state, /hhhh/);
    assert.match(state, /iiii/);
    assert.equal(plainRouter.reloadTimes.length, reloads);
    assert.deepEqual((await plainRouter.process.procs()).workers, workerBefore);
    const load = (await plainRouter.load()).find((l) => l.serviceId === "svc8");
    assert.deepEqual(load, { serviceId: "svc8", inFlight: 0, queued: 0, requests: 6, perInstance: { iiii: 0 } });
    console.log(`apply() with a server swap: ${applyMs.toFixed(1)} ms; reloads: ${plainRouter.reloadTimes.join(", ")} ms`);
  });

  test("an instance added over the runtime API keeps its connections alive, as a configured one does", async () => {
    const a = await backend("pool");
    await plainRouter.apply(route("svc7", "pooled", []));
    await plainRouter.apply(route("svc7", "pooled", [a]));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 20; i++) assert.equal(json(await get(plainPort, hostOf("pooled"), "/", {}, agent)).name, "pool");
    } finally {
      agent.destroy();
    }
    const csv = (await plainRouter.process.admin.command("show stat -1 4 -1")).split("\n").filter((l) => l.trim() !== "");
    const cols = (csv[0] ?? "").slice(2).split(",");
    const row = csv.map((l) => l.split(",")).find((f) => f[0] === "s_svc7" && f[1] === "pool") ?? [];
    const at = (name: string): number => Number(row[cols.indexOf(name)]);
    // Without an idle-connection pool every request opened a new connection (connect 20, reuse 0).
    assert.ok(at("connect") <= 2 && at("reuse") >= 18, `connect ${at("connect")} reuse ${at("reuse")}`);
  });

  test("a config HAProxy rejects never replaces the running one", async () => {
    const a = await backend("jjjj");
    await plainRouter.apply(route("svc9", "iota", [a]));
    const procs = await plainRouter.process.procs();
    // Port 70000 passes our checks but HAProxy refuses it: reload must fail, service keeps serving.
    const bad = { ...route("svc10", "kappa", []), instances: [{ id: "bad", address: "127.0.0.1", port: 70000 }] };
    await assert.rejects(plainRouter.apply(bad), (err: Error & { code?: string }) => {
      assert.equal(err.code, "HostSetupFailed");
      return true;
    });
    assert.deepEqual((await plainRouter.process.procs()).workers, procs.workers);
    assert.equal(json(await get(plainPort, hostOf("iota"))).name, "jjjj");
    assert.equal((await get(plainPort, hostOf("kappa"))).status, 404);
    assert.ok(!plainRouter.routes().some((r) => r.serviceId === "svc10"));
  });

  test("remove() makes the hosts answer 404", async () => {
    const a = await backend("kkkk");
    await plainRouter.apply(route("svc11", "lambda", [a]));
    await plainRouter.remove("svc11");
    assert.equal((await get(plainPort, hostOf("lambda"))).status, 404);
    assert.ok(!(await plainRouter.load()).some((l) => l.serviceId === "svc11"));
  });

  test("a burst of new services is coalesced into few reloads, and reloads drop no request", async () => {
    const a = await backend("llll", 20);
    const before = plainRouter.reloadTimes.length;
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const batch = await Promise.allSettled(Array.from({ length: 5 }, () => get(plainPort, hostOf("alpha"))));
        for (const r of batch) {
          if (r.status === "fulfilled" && r.value.status === 200) ok++;
          else failures.push(r.status === "fulfilled" ? String(r.value.status) : String(r.reason));
        }
      }
    })();
    await Promise.all(Array.from({ length: 6 }, (_, i) => plainRouter.apply(route(`burst${i}`, `burst${i}`, [a]))));
    const reloads = plainRouter.reloadTimes.length - before;
    assert.ok(reloads >= 1 && reloads <= 2, `reloads: ${reloads}`);
    for (let i = 0; i < 6; i++) assert.equal(json(await get(plainPort, hostOf(`burst${i}`))).name, "llll");
    await plainRouter.apply(route("burst0", "burst0", [a], { requestTimeoutMs: 5000 })); // one more reload under load
    stop = true;
    await load;
    assert.deepEqual(failures, []);
    assert.ok(ok > 0);
  });

  test("a second router on the same directory adopts the running HAProxy", async () => {
    const master = plainRouter.process.masterPid;
    const second = new HaproxyRouter({ routerDir: join(dir, "plain"), httpPort: plainPort, httpsPort: 0, region: REGION, baseDomain: DOMAIN, logger });
    await second.start();
    second.detach();
    assert.equal(second.process.masterPid, master);
    assert.ok(second.routes().some((r) => r.serviceId === "svc1"));
    assert.equal(json(await get(plainPort, hostOf("alpha"))).name, "aaaa");
  });
});
