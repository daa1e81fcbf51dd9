import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { NO_ROUTER, type BackendLoad, type ServiceRoute } from "../types.js";
import { EdgeAwareRouter, edgesDrained } from "./edge-drain.js";
import { EdgeLoadReports, type EdgeLoadReport } from "./load-merge.js";
import { RouteTable } from "./route-table.js";

const load = (perInstance: Record<string, number>): BackendLoad => ({ serviceId: "s1", inFlight: 0, queued: 0, perInstance });
const rep = (name: string, routes: string | undefined, loads: BackendLoad[]): EdgeLoadReport => ({ name, receivedAt: 0, loads, ...(routes ? { routes } : {}) });
/** An EdgeAwareRouter over no local router, whose every wait between looks is `wait`. */
const edgeAware = (table: RouteTable, reports: EdgeLoadReports, clock: ManualClock, lines: string[], wait: () => Promise<void>): EdgeAwareRouter =>
  new EdgeAwareRouter({ local: NO_ROUTER, table, reports, clock, logger: (m) => lines.push(m), wait });
const versionOf = (etag: string | undefined): number | undefined => (etag?.startsWith("b.") ? Number(etag.slice(2)) : undefined);

test("edgesDrained: every reporting edge router has the new table and nothing left on the leaving instances", () => {
  const rows: Array<{ name: string; fresh: EdgeLoadReport[]; want: boolean }> = [
    { name: "no edge router", fresh: [], want: true },
    { name: "applied the version, nothing in flight", fresh: [rep("e1", "b.5", [load({ old: 0, new: 3 })])], want: true },
    { name: "applied a later version", fresh: [rep("e1", "b.7", [])], want: true },
    { name: "still on an older table", fresh: [rep("e1", "b.4", [load({ old: 0 })])], want: false },
    { name: "no table applied in full yet", fresh: [rep("e1", undefined, [])], want: false },
    { name: "a table of an earlier control-plane process", fresh: [rep("e1", "a.9", [])], want: false },
    { name: "new table, a request still on a leaving instance", fresh: [rep("e1", "b.5", [load({ old: 1 })])], want: false },
    { name: "one of two edge routers behind", fresh: [rep("e1", "b.5", []), rep("e2", "b.3", [])], want: false },
  ];
  for (const r of rows) assert.equal(edgesDrained(r.fresh, 5, versionOf, "s1", ["old"]), r.want, r.name);
});

test("RouteTable: the version grows when the table changes, and is understood only for this boot", () => {
  let routes: ServiceRoute[] = [];
  const table = new RouteTable(() => routes, "boot1");
  const v1 = table.current();
  assert.equal(table.current(), v1);
  routes = [{ serviceId: "s1", serviceName: "a", hosts: [], state: "serving", maxConcurrency: 1, instances: [] }];
  const v2 = table.current();
  assert.deepEqual([v1.version, v2.version, v2.etag], [1, 2, '"boot1.2"']);
  assert.equal(table.versionOf(v2.etag), 2);
  assert.equal(table.versionOf('"boot0.9"'), undefined);
  assert.equal(table.versionOf(undefined), undefined);
});

test("EdgeAwareRouter: a drain resolves once the edge routers caught up, or at its timeout", async () => {
  const clock = new ManualClock(0);
  const reports = new EdgeLoadReports(clock);
  const table = new RouteTable(() => [], "b");
  const lines: string[] = [];
  let waits = 0;
  const router = edgeAware(table, reports, clock, lines, () => {
    waits++;
    clock.advance(100);
    // The edge router reports the current table after the third look.
    if (waits === 3) reports.record({ name: "e1", loads: [], routes: table.current().etag });
    else if (waits < 3) reports.record({ name: "e1", loads: [load({ old: 1 })], routes: '"b.0"' });
    return Promise.resolve();
  });
  reports.record({ name: "e1", loads: [load({ old: 1 })], routes: '"b.0"' });
  await router.drain("s1", ["old"], 10_000);
  assert.equal(waits, 3);
  assert.equal(lines.length, 0);

  reports.record({ name: "e1", loads: [], routes: '"b.0"' });
  // This edge router never catches up: it keeps reporting an old table.
  const stuck = (): Promise<void> => {
    reports.record({ name: "e1", loads: [], routes: '"b.0"' });
    clock.advance(100);
    return Promise.resolve();
  };
  const slow = edgeAware(table, reports, clock, lines, stuck);
  await slow.drain("s1", ["old"], 1_000);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? "", /timed out/);
});

test("EdgeAwareRouter: settle resolves once every reporting edge router applied the current table, or at its timeout", async () => {
  const clock = new ManualClock(0);
  const reports = new EdgeLoadReports(clock);
  let routes: ServiceRoute[] = [{ serviceId: "s1", serviceName: "a", hosts: [], state: "serving", maxConcurrency: 1, instances: [] }];
  const table = new RouteTable(() => routes, "b");
  reports.record({ name: "e1", loads: [], routes: table.current().etag });
  const lines: string[] = [];
  let waits = 0;
  const router = edgeAware(table, reports, clock, lines, () => {
    waits++;
    clock.advance(100);
    // The edge router polls the changed table after the second look.
    reports.record({ name: "e1", loads: [], routes: waits === 2 ? table.current().etag : '"b.1"' });
    return Promise.resolve();
  });
  await router.settle(10_000);
  assert.equal(waits, 0, "nothing changed since the edge router's last table");
  // The table changes (a split ends, say), and the edge router still serves the one before.
  routes = [{ serviceId: "s1", serviceName: "a", hosts: ["a.example"], state: "serving", maxConcurrency: 1, instances: [] }];
  await router.settle(10_000);
  assert.equal(waits, 2);
  assert.equal(lines.length, 0);

  routes = [];
  const behind = edgeAware(table, reports, clock, lines, () => {
    clock.advance(100);
    reports.record({ name: "e1", loads: [], routes: '"b.1"' });
    return Promise.resolve();
  });
  await behind.settle(1_000);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? "", /timed out/);
});
