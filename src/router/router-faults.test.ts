import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BackendPool, type BackendServer } from "../../test/support/backend-server.js";
import { isHaproxy } from "./haproxy-process.js";
import { freePort } from "../../test/support/router-client.js";
import { HaproxyRouter, type DataPlaneRestart } from "./router.js";
import type { ServiceRoute } from "./types.js";
import { skipUnlessOnPath } from "../../test/support/host-tools.js";

const host = (name: string) => `${name}.us-east-1.openrunner.test`;

function get(port: number, name: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/", headers: { host: host(name) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const route = (id: string, backends: BackendServer[], maxConcurrency = 100): ServiceRoute => ({
  serviceId: id,
  serviceName: id,
  hosts: [host(id)],
  state: "serving",
  maxConcurrency,
  instances: backends.map((b) => ({ id: b.name, address: b.address, port: b.port })),
});

describe("HaproxyRouter under faults", { skip: skipUnlessOnPath("haproxy") }, () => {
  let dir: string;
  let port: number;
  let router: HaproxyRouter;
  const restarts: DataPlaneRestart[] = [];
  const pool = new BackendPool();
  const backend = (name: string, delay = 0) => pool.start(name, delay);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "or-router-faults-"));
    port = await freePort();
    router = new HaproxyRouter({ routerDir: dir, httpPort: port, httpsPort: 0, region: "us-east-1", baseDomain: "openrunner.test", logger: () => undefined, onRestart: (r) => restarts.push(r) });
    await router.start();
  });

  after(async () => {
    await router.stop();
    await pool.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("instances added while requests queue never get more than MaxConcurrency requests at once", async () => {
    const first = await backend("mc0", 60);
    await router.apply(route("mc", [first], 1));
    let stop = false;
    const failures: string[] = [];
    const clients = Array.from({ length: 10 }, async () => {
      while (!stop) {
        const r = await get(port, "mc").catch((err: unknown) => ({ status: 0, body: String(err) }));
        if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 60)}`);
      }
    });
    const added: BackendServer[] = [first];
    try {
      for (let i = 1; i <= 4; i++) {
        // Each instance joins while about nine requests wait in the backend's queue.
        await new Promise((r) => setTimeout(r, 150));
        added.push(await backend(`mc${i}`, 60));
        await router.apply(route("mc", added, 1));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(
      added.map((b) => [b.name, b.maxInFlight]),
      added.map((b) => [b.name, 1]),
      "HAProxy 2.6 hands a server leaving maintenance queued requests it does not count against maxconn",
    );
  });

  test("haproxy.cfg names only the servers the worker still has: one drained or failed is gone from it", async () => {
    const [a, b, c] = [await backend("cfga"), await backend("cfgb"), await backend("cfgc")];
    await router.apply(route("cfg", [a, b, c]));
    await router.apply(route("cfg", [b, c]));
    await router.drain("cfg", ["cfga"], 5000);
    await router.failed("cfg", ["cfgb"]);
    await router.apply(route("cfg", [c]));
    const config = () => readFileSync(join(dir, "haproxy.cfg"), "utf8");
    assert.doesNotMatch(config(), /server cfga /);
    for (let i = 0; i < 100 && /server cfgb /.test(config()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.doesNotMatch(config(), /server cfgb /);
    assert.match(config(), /server cfgc 127\.0\.0\.1:\d+ maxconn 100 /);
    assert.equal(JSON.parse((await get(port, "cfg")).body).name, "cfgc");
  });

  test("a backend whose only instance failed holds requests until a replacement joins, instead of 503", async () => {
    const [dead, fresh] = [await backend("holda"), await backend("holdb")];
    await router.apply(route("hold", [dead]));
    await router.failed("hold", ["holda"]);
    const held = get(port, "hold");
    await new Promise((r) => setTimeout(r, 300));
    await router.apply(route("hold", [fresh]));
    const r = await held;
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).name, "holdb");
    assert.equal(dead.requests, 0);
  });

  test("a HAProxy killed from outside is restarted with every route, and reported", async () => {
    const a = await backend("watch");
    await router.apply(route("watch", [a]));
    const master = router.process.masterPid ?? 0;
    process.kill(master, "SIGKILL");
    for (let i = 0; i < 200 && restarts.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(restarts.length, 1);
    assert.equal(restarts[0]?.previousMasterPid, master);
    assert.match(restarts[0]?.reason ?? "", /exited with SIGKILL/);
    assert.ok(restarts[0]?.services.some((s) => s.serviceId === "watch"));
    assert.ok(await isHaproxy(router.process.masterPid ?? 0));
    assert.equal(JSON.parse((await get(port, "watch")).body).name, "watch");
    assert.equal(JSON.parse((await get(port, "cfg")).body).name, "cfgc");
    // Reads wait for the restart instead of failing.
    assert.ok((await router.load()).some((l) => l.serviceId === "watch"));
  });
});
