import assert from "node:assert/strict";
import { test } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { BackendLoad, ServiceRoute } from "../types.js";
import type { ControlPlaneClient } from "./control-plane-client.js";
import { backoffMs, EdgeRouter, type EdgeDataPlane } from "./edge-router.js";
import type { LoadReport } from "./load-report.js";
import { ManualTimers } from "../../util/manual-timers.js";

const route = (serviceId: string, maxConcurrency = 10): ServiceRoute => ({
  serviceId,
  serviceName: serviceId,
  hosts: [`${serviceId}.test`],
  state: "serving",
  maxConcurrency,
  instances: [{ id: "a", address: "10.0.0.1", port: 8080 }],
});

/** A data plane that records what it was told (the real one is HaproxyRouter, in the e2e test). */
class FakeDataPlane implements EdgeDataPlane {
  readonly table = new Map<string, ServiceRoute>();
  readonly calls: string[] = [];
  refuse = new Set<string>();
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  routes = () => [...this.table.values()];
  apply(r: ServiceRoute): Promise<void> {
    this.calls.push(`apply ${r.serviceId}`);
    if (this.refuse.has(r.serviceId)) return Promise.reject(new AppRunnerError("InternalServiceError", "refused"));
    this.table.set(r.serviceId, r);
    return Promise.resolve();
  }
  remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.table.delete(id);
    return Promise.resolve();
  }
  load = (): Promise<BackendLoad[]> => Promise.resolve([{ serviceId: "s1", inFlight: 3, queued: 1, perInstance: { a: 3 } }]);
}

class FakeControlPlane implements ControlPlaneClient {
  table: ServiceRoute[] = [];
  version = "v1";
  down = false;
  readonly asked: Array<string | undefined> = [];
  readonly reports: LoadReport[] = [];
  routes(etag: string | undefined): Promise<{ etag: string; routes: ServiceRoute[] } | "unchanged"> {
    this.asked.push(etag);
    if (this.down) return Promise.reject(new AppRunnerError("RuntimeUnavailable", "connection refused"));
    return Promise.resolve(etag === this.version ? "unchanged" : { etag: this.version, routes: this.table });
  }
  report(r: LoadReport): Promise<void> {
    if (this.down) return Promise.reject(new AppRunnerError("RuntimeUnavailable", "connection refused"));
    this.reports.push(r);
    return Promise.resolve();
  }
}

const setup = () => {
  const router = new FakeDataPlane();
  const cp = new FakeControlPlane();
  const lines: string[] = [];
  const timers = new ManualTimers();
  const edge = new EdgeRouter({ name: "edge-1", router, controlPlane: cp, logger: (m) => lines.push(m), timers });
  return { router, cp, edge, lines, timers, signal: new AbortController().signal };
};

test("EdgeRouter: applies the difference, skips an unchanged table, removes gone services", async () => {
  const { router, cp, edge, signal } = setup();
  router.table.set("old", route("old"));
  router.table.set("s1", route("s1"));
  cp.table = [route("s1"), route("s2")];
  await edge.syncOnce(signal);
  assert.deepEqual(router.calls, ["apply s2", "remove old"]);
  await edge.syncOnce(signal);
  assert.deepEqual(cp.asked, [undefined, "v1"], "the second poll sends the version back");
  assert.deepEqual(router.calls, ["apply s2", "remove old"], "unchanged: nothing applied");
  cp.table = [route("s1", 2), route("s2")];
  cp.version = "v2";
  await edge.syncOnce(signal);
  assert.deepEqual(router.calls.slice(2), ["apply s1"]);
});

test("EdgeRouter: a route the data plane refused is tried again at the next poll", async () => {
  const { router, cp, edge, signal } = setup();
  cp.table = [route("s1")];
  router.refuse.add("s1");
  await edge.syncOnce(signal);
  router.refuse.clear();
  await edge.syncOnce(signal);
  assert.deepEqual(cp.asked, [undefined, undefined]);
  assert.deepEqual(router.calls, ["apply s1", "apply s1"]);
  assert.equal(router.table.size, 1);
});

test("EdgeRouter: the control plane down leaves the routes as they are, logged, and backs off", async () => {
  const { router, cp, edge, lines, signal } = setup();
  cp.table = [route("s1")];
  await edge.syncOnce(signal);
  cp.down = true;
  await edge.syncOnce(signal);
  await edge.syncOnce(signal);
  assert.deepEqual([...router.table.keys()], ["s1"]);
  assert.equal(lines.filter((l) => l.includes("cannot be reached")).length, 2);
  await edge.reportOnce(signal);
  await edge.reportOnce(signal);
  assert.equal(lines.filter((l) => l.includes("reporting load failed")).length, 1, "one line per outage, not per second");
  cp.down = false;
  await edge.syncOnce(signal);
  assert.ok(lines.some((l) => l.includes("answers again")));
  await edge.reportOnce(signal);
  assert.deepEqual(cp.reports, [{ name: "edge-1", loads: [{ serviceId: "s1", inFlight: 3, queued: 1, perInstance: { a: 3 } }], routes: "v1" }], "the load comes with the table version applied");
});

test("EdgeRouter on its schedule: routes at once, load right after a change, then every second; polls back off while the control plane is down", async () => {
  const { router, cp, edge, timers } = setup();
  cp.table = [route("s1")];
  await edge.start();
  await timers.advance(0);
  assert.deepEqual([...router.table.keys()], ["s1"], "the first poll runs at start");
  assert.deepEqual(cp.reports.map((r) => r.routes), ["v1"], "the applied version is reported at once");
  await timers.advance(1_000);
  assert.deepEqual(cp.asked, [undefined, "v1"]);
  assert.equal(cp.reports.length, 2);
  cp.down = true;
  await timers.advance(1_000); // fails: next try in 2 s
  await timers.advance(1_000);
  assert.equal(cp.asked.length, 3);
  await timers.advance(1_000);
  assert.equal(cp.asked.length, 4, "then 4 s");
  await timers.advance(3_000);
  assert.equal(cp.asked.length, 4);
  assert.deepEqual([...router.table.keys()], ["s1"], "still serving the last table");
  await edge.stop();
  assert.deepEqual(timers.scheduled(), []);
});

test("backoffMs: every second while it answers, doubling to a cap while it does not", () => {
  const rows: Array<[number, number]> = [
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 10_000],
    [50, 10_000],
  ];
  for (const [failures, want] of rows) assert.equal(backoffMs(1_000, failures, 10_000), want, `${failures} failures`);
});
