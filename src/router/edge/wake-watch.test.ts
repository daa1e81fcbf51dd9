import assert from "node:assert/strict";
import { test } from "node:test";
import type { BackendLoad, ServiceRoute } from "../types.js";
import { heldAtZero, WakeWatch } from "./wake-watch.js";

const route = (serviceId: string, instances: number, state: ServiceRoute["state"] = "serving"): ServiceRoute => ({
  serviceId,
  serviceName: serviceId,
  hosts: [`${serviceId}.test`],
  state,
  maxConcurrency: 10,
  instances: Array.from({ length: instances }, (_, i) => ({ id: `i${i}`, address: "10.0.0.1", port: 8080 + i })),
});
const load = (serviceId: string, queued: number, inFlight = 0): BackendLoad => ({ serviceId, inFlight, queued, perInstance: {} });

test("heldAtZero: only requests held for a service whose route has no instance", () => {
  const rows: Array<{ name: string; routes: ServiceRoute[]; loads: BackendLoad[]; want: string[] }> = [
    { name: "nothing held", routes: [route("s1", 0)], loads: [load("s1", 0)], want: [] },
    { name: "held at zero", routes: [route("s1", 0)], loads: [load("s1", 2)], want: ["s1"] },
    { name: "a queue behind running instances is the autoscaler's usual business", routes: [route("s1", 2)], loads: [load("s1", 5, 20)], want: [] },
    { name: "a paused service answers 503 itself", routes: [route("s1", 0, "paused")], loads: [load("s1", 1)], want: [] },
    { name: "two at zero, sorted", routes: [route("s2", 0), route("s1", 0), route("s3", 1)], loads: [load("s3", 4), load("s2", 1), load("s1", 1)], want: ["s1", "s2"] },
    { name: "a load of a service with no route", routes: [], loads: [load("s9", 3)], want: [] },
  ];
  for (const r of rows) assert.deepEqual(heldAtZero(r.routes, r.loads), r.want, r.name);
});

test("WakeWatch: reports once when requests become held at zero, fetches routes while they are, and reads no load while every route has an instance", async () => {
  let routes = [route("s1", 1)];
  let loads = [load("s1", 0)];
  const calls: string[] = [];
  const watch = new WakeWatch({
    routes: () => routes,
    load: () => {
      calls.push("load");
      return Promise.resolve(loads);
    },
    report: () => calls.push("report"),
    sync: () => calls.push("sync"),
    logger: () => undefined,
  });
  await watch.look();
  assert.deepEqual(calls, [], "every route has an instance: not even a show stat");
  routes = [route("s1", 0)];
  await watch.look();
  assert.deepEqual(calls.splice(0), ["load"], "at zero, nothing held");
  loads = [load("s1", 1)];
  await watch.look();
  assert.deepEqual(calls.splice(0), ["load", "report", "sync"], "a held request: report now, fetch routes now");
  loads = [load("s1", 3)];
  await watch.look();
  assert.deepEqual(calls.splice(0), ["load", "sync"], "still held: the report went out, routes are fetched again");
  routes = [route("s1", 1)];
  await watch.look();
  assert.deepEqual(calls.splice(0), [], "the woken instance arrived");
  routes = [route("s1", 0)];
  await watch.look();
  assert.deepEqual(calls.splice(0), ["load", "report", "sync"], "held again after the next scale to zero: a new report");
});
