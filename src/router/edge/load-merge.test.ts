import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../util/clock.js";
import type { BackendLoad } from "../types.js";
import { EdgeLoadReports, mergeLoads, type EdgeLoadReport } from "./load-merge.js";

const load = (serviceId: string, inFlight: number, queued = 0, perInstance: Record<string, number> = {}): BackendLoad => ({ serviceId, inFlight, queued, perInstance });
const T = 1_000_000;
const report = (name: string, ageMs: number, loads: BackendLoad[]): EdgeLoadReport => ({ name, receivedAt: T - ageMs, loads });

test("mergeLoads: the local router's load plus every fresh edge report, summed per service and instance", () => {
  const rows: Array<{ name: string; local: BackendLoad[]; reports: EdgeLoadReport[]; want: BackendLoad[] }> = [
    { name: "no edge router: the local load as it is", local: [load("s1", 2, 1, { a: 2 })], reports: [], want: [load("s1", 2, 1, { a: 2 })] },
    {
      name: "one fresh edge report adds to the local load",
      local: [load("s1", 2, 0, { a: 1, b: 1 })],
      reports: [report("edge-1", 500, [load("s1", 3, 2, { a: 3 })])],
      want: [load("s1", 5, 2, { a: 4, b: 1 })],
    },
    {
      name: "a service only an edge router serves right now",
      local: [load("s1", 0)],
      reports: [report("edge-1", 0, [load("s2", 4, 0, { c: 4 })])],
      want: [load("s1", 0), load("s2", 4, 0, { c: 4 })],
    },
    {
      name: "two edge routers and the local one",
      local: [load("s1", 1, 0, { a: 1 })],
      reports: [report("edge-1", 100, [load("s1", 1, 0, { a: 1 })]), report("edge-2", 2_000, [load("s1", 2, 1, { a: 2 })])],
      want: [load("s1", 4, 1, { a: 4 })],
    },
    { name: "exactly 3 s old still counts", local: [], reports: [report("edge-1", 3_000, [load("s1", 1)])], want: [load("s1", 1)] },
    { name: "a stale report (router gone or cut off) counts no more", local: [load("s1", 1)], reports: [report("edge-1", 3_001, [load("s1", 9)])], want: [load("s1", 1)] },
    { name: "a report from the future (clock stepped back) does not count", local: [], reports: [report("edge-1", -10, [load("s1", 9)])], want: [] },
  ];
  for (const r of rows) assert.deepEqual(mergeLoads(r.local, r.reports, T), r.want, r.name);
});

test("EdgeLoadReports: the last report per name counts while fresh, then is forgotten", () => {
  const clock = new ManualClock(T);
  const reports = new EdgeLoadReports(clock);
  reports.record({ name: "edge-1", loads: [load("s1", 5)] });
  reports.record({ name: "edge-1", loads: [load("s1", 2)] }); // replaces, does not add
  clock.advance(1_000);
  reports.record({ name: "edge-2", loads: [load("s1", 1)] });
  assert.deepEqual(reports.merged([load("s1", 1)]), [load("s1", 4)]);
  clock.advance(2_500); // edge-1 is 3.5 s old
  assert.deepEqual(reports.merged([load("s1", 1)]), [load("s1", 2)]);
  assert.deepEqual(reports.fresh().map((r) => r.name), ["edge-2"]);
  clock.advance(1_000);
  assert.deepEqual(reports.merged([]), []);
  assert.deepEqual(reports.fresh(), []);
});
