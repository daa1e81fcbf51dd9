import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { BackendPool, type BackendReply, type BackendServer } from "../../test/support/backend-server.js";
import { skipUnlessOnPath } from "../../test/support/host-tools.js";
import { CanaryMeasurements } from "./canary-measure.js";
import { backendName } from "./haproxy-config.js";
import { fingerprint } from "./live-backends.js";
import { parseCounters } from "./request-counts.js";
import { parseRequestLog } from "./request-log-format.js";
import { HaproxyRouter } from "./router.js";
import { cutSplit, renderSplitsMap, splitFrontendLines, splitPercentCommand, VERSION_COOKIE } from "./traffic-split.js";
import type { ServiceRoute } from "./types.js";

const inst = (id: string, port = 8080) => ({ id, address: "127.0.0.2", port });
const base: ServiceRoute = { serviceId: "svc", serviceName: "alpha", hosts: ["alpha.test"], state: "serving", maxConcurrency: 10, instances: [inst("old1")] };
const split = (percent: number, extra: Partial<NonNullable<ServiceRoute["canary"]>> = {}): ServiceRoute => ({
  ...base,
  canary: { deploymentId: "dnew", servingDeploymentId: "dold", percent, instances: [inst("new1")], ...extra },
});

describe("traffic split rendering", () => {
  it("renders no frontend rule and no map line without a split (or for a paused service)", () => {
    assert.deepEqual(splitFrontendLines([base], "/r/splits.map", backendName), []);
    assert.deepEqual(splitFrontendLines([{ ...split(10), state: "paused" }], "/r/splits.map", backendName), []);
    assert.equal(renderSplitsMap([base], backendName), "");
  });

  it("renders the cookie, the random pick by the map's percent, the Set-Cookie and the new backend's use_backend last", () => {
    const lines = splitFrontendLines([split(10)], "/r/splits.map", backendName);
    assert.ok(lines.some((l) => l.includes(`req.cook(${VERSION_COOKIE})`)));
    assert.ok(lines.some((l) => l.includes("map_str_int(/r/splits.map,-1)")));
    assert.ok(lines.some((l) => l.includes("str(dnew) if { var(txn.or_backend) -m str s_svc } !{ var(txn.or_ver) -m found } { rand(100),sub(txn.or_pct) lt 0 }")));
    assert.ok(lines.some((l) => l.includes("Set-Cookie")));
    assert.match(lines.at(-1) ?? "", /^ {2}use_backend c_svc if .* \{ nbsrv\(c_svc\) gt 0 \}$/);
    assert.equal(renderSplitsMap([split(10.4)], backendName), "s_svc 10\n");
  });

  const table: [string, ServiceRoute, ServiceRoute, string | undefined][] = [
    ["a step changes the map at runtime", split(10), split(50), "set map /r/splits.map s_svc 50"],
    ["the same percent: nothing", split(10), split(10), undefined],
    ["no split wanted: nothing (the reload removes it)", split(10), base, undefined],
  ];
  for (const [name, before, want, cmd] of table) {
    it(name, () => assert.equal(splitPercentCommand(want, before, "/r/splits.map", backendName), cmd));
  }

  it("a step keeps the backend's fingerprint (no reload); a new version or instance changes it", () => {
    assert.equal(fingerprint(split(10)), fingerprint(split(90)));
    assert.notEqual(fingerprint(split(10)), fingerprint(base));
    assert.notEqual(fingerprint(split(10)), fingerprint(split(10, { instances: [inst("new2")] })));
  });

  it("the new version's log lines and counters are the service's", () => {
    assert.equal(parseRequestLog("or1 c_svc new1 500 3 0 1/1/1")?.serviceId, "svc");
    const csv = "Pid: 42\n\n# pxname,svname,qcur,scur,stot,req_tot,hrsp_2xx,hrsp_4xx,hrsp_5xx,status\ns_svc,BACKEND,0,0,0,10,9,1,0,UP\nc_svc,BACKEND,0,0,0,5,3,0,2,UP\n";
    assert.deepEqual(parseCounters(csv).backends, [{ serviceId: "svc", requests: 15, status2xx: 12, status4xx: 1, status5xx: 2 }]);
  });

  it("measures requests, 5xx and p99 over the window", () => {
    let now = 0;
    const m = new CanaryMeasurements(() => now);
    for (let i = 1; i <= 100; i++) m.record("svc", i % 10 === 0 ? 503 : 200, i);
    now = 5_000;
    m.record("svc", 200, 7);
    assert.deepEqual(m.measure("svc", 60_000), { requests: 101, errors5xx: 10, p99Ms: 99 });
    assert.deepEqual(m.measure("svc", 1_000), { requests: 1, errors5xx: 0, p99Ms: 7 });
    assert.deepEqual(m.measure("other", 1_000), { requests: 0, errors5xx: 0 });
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", () => ok()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

function get(port: number, host: string, cookie?: string): Promise<{ status: number; headers: IncomingHttpHeaders; name: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/", headers: { host, ...(cookie ? { cookie } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, name: res.statusCode === 200 ? (JSON.parse(body) as BackendReply).name : "" });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("a traffic split in a real HAProxy", { skip: skipUnlessOnPath("haproxy") }, () => {
  let dir: string;
  let router: HaproxyRouter;
  let port: number;
  const pool = new BackendPool();
  const logs: string[] = [];
  const ring = new Set<Socket>();
  const receiver = createServer((socket) => {
    ring.add(socket);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => logs.push(...chunk.split("\n").filter((l) => l !== "")));
    socket.on("error", () => {});
  });
  const at = (b: BackendServer) => ({ id: b.name, address: b.address, port: b.port });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "or-split-"));
    port = await freePort();
    await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", () => ok()));
    const logTarget = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    router = new HaproxyRouter({ routerDir: dir, httpPort: port, httpsPort: 0, region: "us-east-1", baseDomain: "openrunner.test", logger: () => undefined, logTarget });
    await router.start();
  });

  after(async () => {
    await router.stop();
    await pool.closeAll();
    for (const s of ring) s.destroy();
    await new Promise<void>((ok) => receiver.close(() => ok()));
    await rm(dir, { recursive: true, force: true });
  });

  test("new clients split by the percent, cookies stick, a step needs no reload, the end routes all to the serving version", async () => {
    const [old1, new1] = [await pool.start("old1"), await pool.start("new1")];
    const host = "split.test";
    const plain: ServiceRoute = { serviceId: "svcx", serviceName: "split", hosts: [host], state: "serving", maxConcurrency: 10, instances: [at(old1)] };
    await router.apply(plain);
    const withSplit = (percent: number): ServiceRoute => ({ ...plain, canary: { deploymentId: "dnew", servingDeploymentId: "dold", percent, instances: [at(new1)] } });
    await router.apply(withSplit(10));
    const count = async (n: number, cookie?: string) => {
      let toNew = 0;
      const cookies = new Set<string>();
      for (let i = 0; i < n; i++) {
        const r = await get(port, host, cookie);
        assert.equal(r.status, 200);
        if (r.name === "new1") toNew++;
        for (const c of r.headers["set-cookie"] ?? []) cookies.add(c.split(";")[0] ?? "");
      }
      return { toNew, cookies };
    };
    const tenth = await count(400);
    assert.ok(tenth.toNew >= 12 && tenth.toNew <= 100, `10% of 400 new clients went to the new version: ${tenth.toNew}`);
    assert.deepEqual([...tenth.cookies].sort(), [`${VERSION_COOKIE}=dnew`, `${VERSION_COOKIE}=dold`]);
    // Sticky: a client keeps its version, and its cookie is not set again.
    const stuckNew = await count(20, `${VERSION_COOKIE}=dnew`);
    assert.deepEqual([stuckNew.toNew, stuckNew.cookies.size], [20, 0]);
    const stuckOld = await count(20, `${VERSION_COOKIE}=dold`);
    assert.deepEqual([stuckOld.toNew, stuckOld.cookies.size], [0, 0]);
    const reloads = router.reloadTimes.length;
    await router.apply(withSplit(90));
    assert.equal(router.reloadTimes.length, reloads, "a step is a map edit, not a reload");
    const most = await count(200);
    assert.ok(most.toNew >= 150, `90% of 200 new clients went to the new version: ${most.toNew}`);
    for (let i = 0; i < 100 && !logs.some((l) => l.startsWith("or1 c_svcx new1 200 ")); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(logs.some((l) => l.startsWith("or1 c_svcx new1 200 ")), "the new version's requests are logged under its backend and instance");
    // The end of a rollout that went back: the new version's clients too go to the serving one,
    // at once through the map (before the reload that removes the new backend).
    await cutSplit(plain, withSplit(90), join(dir, "splits.map"), backendName, (text) => router.process.admin.command(text));
    assert.equal(router.reloadTimes.length, reloads);
    assert.equal((await count(20, `${VERSION_COOKIE}=dnew`)).toNew, 0, "the cut needs no reload");
    assert.equal((await count(50)).toNew, 0);
    await router.apply(plain);
    assert.equal((await count(20, `${VERSION_COOKIE}=dnew`)).toNew, 0);
  });
});
