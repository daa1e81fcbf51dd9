import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoutedInstance, ServiceRoute } from "../types.js";
import { diffRoutes } from "./route-diff.js";

const inst = (id: string, port = 8080): RoutedInstance => ({ id, address: "10.0.0.1", port });
const route = (serviceId: string, over: Partial<ServiceRoute> = {}): ServiceRoute => ({
  serviceId,
  serviceName: `name-${serviceId}`,
  hosts: [`${serviceId}.test`],
  state: "serving",
  maxConcurrency: 100,
  instances: [inst("a")],
  ...over,
});
const ids = (d: ReturnType<typeof diffRoutes>) => ({ apply: d.apply.map((r) => r.serviceId), remove: d.remove });

test("diffRoutes: what an edge router changes to match the control plane", () => {
  const rows: Array<{ name: string; have: ServiceRoute[]; want: ServiceRoute[]; apply: string[]; remove: string[] }> = [
    { name: "nothing on either side", have: [], want: [], apply: [], remove: [] },
    { name: "a first table: every route is new", have: [], want: [route("s1"), route("s2")], apply: ["s1", "s2"], remove: [] },
    { name: "the same table: nothing to do", have: [route("s1"), route("s2")], want: [route("s1"), route("s2")], apply: [], remove: [] },
    { name: "a deleted service is removed", have: [route("s1"), route("s2")], want: [route("s2")], apply: [], remove: ["s1"] },
    { name: "blue/green: the instances changed", have: [route("s1")], want: [route("s1", { instances: [inst("a"), inst("b")] })], apply: ["s1"], remove: [] },
    { name: "an instance's port changed", have: [route("s1")], want: [route("s1", { instances: [inst("a", 9000)] })], apply: ["s1"], remove: [] },
    { name: "paused", have: [route("s1")], want: [route("s1", { state: "paused" })], apply: ["s1"], remove: [] },
    { name: "MaxConcurrency changed", have: [route("s1")], want: [route("s1", { maxConcurrency: 2 })], apply: ["s1"], remove: [] },
    { name: "a custom domain added", have: [route("s1")], want: [route("s1", { hosts: ["s1.test", "www.example.com"] })], apply: ["s1"], remove: [] },
    { name: "tracing switched on", have: [route("s1")], want: [route("s1", { tracing: true })], apply: ["s1"], remove: [] },
    { name: "host case and key order do not count as changes", have: [route("s1", { hosts: ["s1.test"] })], want: [{ ...route("s1", { hosts: ["S1.Test"] }) }].map((r) => Object.fromEntries(Object.entries(r).reverse()) as unknown as ServiceRoute), apply: [], remove: [] },
    { name: "an absent optional field equals undefined", have: [route("s1", { requestTimeoutMs: undefined })], want: [route("s1")], apply: [], remove: [] },
    { name: "one changed, one new, one gone", have: [route("s1"), route("s2")], want: [route("s1", { maxConcurrency: 5 }), route("s3")], apply: ["s1", "s3"], remove: ["s2"] },
  ];
  for (const r of rows) assert.deepEqual(ids(diffRoutes(r.have, r.want)), { apply: r.apply, remove: r.remove }, r.name);
});
