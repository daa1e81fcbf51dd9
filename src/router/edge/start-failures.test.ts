import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { ManualClock } from "../../util/clock.js";
import type { BackendLoad, ServiceRoute, TrafficRouter } from "../types.js";
import { httpControlPlane } from "./control-plane-client.js";
import { dataPlaneRoute } from "./data-plane-route.js";
import { EdgeAwareRouter } from "./edge-drain.js";
import { EdgeRouter, type EdgeDataPlane } from "./edge-router.js";
import { EdgeLoadReports } from "./load-merge.js";
import { RouteTable } from "./route-table.js";
import { newNotices, StartFailureNotices, startFailuresOf } from "./start-failures.js";

const atZero: ServiceRoute = { serviceId: "s1", serviceName: "s1", hosts: ["s1.test"], state: "serving", maxConcurrency: 10, instances: [] };

test("StartFailureNotices: listed for their window, each with its own id, then dropped", () => {
  const clock = new ManualClock(0);
  const notices = new StartFailureNotices(clock, "boot");
  notices.add("s1", 1_000);
  clock.advance(500);
  notices.add("s2", 4_000);
  assert.deepEqual(notices.current(), [
    { serviceId: "s1", id: "boot.1", forMs: 1_000 },
    { serviceId: "s2", id: "boot.2", forMs: 4_000 },
  ]);
  clock.advance(500); // s1's window is over
  assert.deepEqual(notices.current().map((n) => n.id), ["boot.2"]);
  clock.advance(3_500);
  assert.deepEqual(notices.current(), []);
});

test("startFailuresOf and newNotices: what an edge router reads from the table and acts on once", () => {
  const rows: Array<{ name: string; body: unknown; want: string[] }> = [
    { name: "no notices (an older control plane)", body: { routes: [] }, want: [] },
    { name: "not a list", body: { startFailed: {} }, want: [] },
    { name: "well formed", body: { startFailed: [{ serviceId: "s1", id: "b.1", forMs: 1000 }] }, want: ["b.1"] },
    {
      name: "malformed entries are left out",
      body: { startFailed: [null, { serviceId: "s1", id: "b.2" }, { serviceId: "s1", id: "b.3", forMs: -1 }, { serviceId: 1, id: "b.4", forMs: 5 }, { serviceId: "s1", id: "b.5", forMs: 5 }] },
      want: ["b.5"],
    },
  ];
  for (const r of rows) assert.deepEqual(startFailuresOf(r.body).map((n) => n.id), r.want, r.name);
  const listed = [
    { serviceId: "s1", id: "b.1", forMs: 1000 },
    { serviceId: "s1", id: "b.2", forMs: 2000 },
  ];
  const first = newNotices(listed, new Set(["b.1", "b.0"]));
  assert.deepEqual(first.fresh.map((n) => n.id), ["b.2"]);
  assert.deepEqual([...first.seen], ["b.1", "b.2"], "ids no longer listed are forgotten");
  assert.deepEqual(newNotices(listed, first.seen).fresh, []);
});

test("a failed start reaches every edge router through the table it polls: held requests there get 503 once", async () => {
  const clock = new ManualClock(0);
  const routes = [atZero];
  const localCalls: string[] = [];
  const local: TrafficRouter = {
    apply: () => Promise.resolve(),
    drain: () => Promise.resolve(),
    failed: () => Promise.resolve(),
    remove: () => Promise.resolve(),
    load: () => Promise.resolve([]),
    startFailed: (id, ms) => {
      localCalls.push(`${id} ${ms}`);
      return Promise.resolve();
    },
  };
  const notices = new StartFailureNotices(clock, "boot");
  const table = new RouteTable(() => routes, "boot", () => notices.current());
  const reports = new EdgeLoadReports(clock);
  const router = new EdgeAwareRouter({ local, table, reports, clock, logger: () => undefined, startFailures: notices });
  const route = dataPlaneRoute({ token: "t", table, reports });
  const server = createServer((req, res) => void route.handle(req, res));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const edgeCalls: string[] = [];
  const plane: EdgeDataPlane = {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    routes: () => routes,
    apply: () => Promise.resolve(),
    remove: () => Promise.resolve(),
    load: (): Promise<BackendLoad[]> => Promise.resolve([]),
    startFailed: (id, ms) => {
      edgeCalls.push(`${id} ${ms}`);
      return Promise.resolve();
    },
  };
  const edge = new EdgeRouter({ name: "e1", router: plane, controlPlane: httpControlPlane(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "t"), logger: () => undefined });
  const signal = new AbortController().signal;
  try {
    await edge.syncOnce(signal);
    const before = table.current().version;
    await router.startFailed("s1", 2_000);
    assert.deepEqual(localCalls, ["s1 2000"], "the control plane's own router answers 503 at once");
    assert.ok(table.current().version > before, "the table edge routers poll changed");
    await edge.syncOnce(signal);
    await edge.syncOnce(signal);
    assert.deepEqual(edgeCalls, ["s1 2000"], "the edge router acted on the notice once");
    clock.advance(2_000);
    await edge.syncOnce(signal);
    assert.ok(!table.current().body.includes("startFailed"), "the notice left the table after its window");
    await router.startFailed("s1", 4_000);
    await edge.syncOnce(signal);
    assert.deepEqual(edgeCalls, ["s1 2000", "s1 4000"], "the next failed start is a new notice");
  } finally {
    server.close();
  }
});
