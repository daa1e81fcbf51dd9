import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoutedInstance, ServiceRoute } from "../../router/types.js";
import type { LiveInstance } from "./live-instance.js";
import type { DeploymentRecord } from "./records.js";
import { repairRoute, routeOf, type RouteFacts, type RouteRepair } from "./routing.js";

const A: RoutedInstance = { id: "a".repeat(32), address: "127.202.0.2", port: 8080 };
const B: RoutedInstance = { id: "b".repeat(32), address: "127.202.0.6", port: 8080 };
/** B's address, now another instance's (after a restart the slot went elsewhere). */
const B_ADDRESS_REUSED: RoutedInstance = { id: "c".repeat(32), address: B.address, port: 8080 };

const route = (instances: RoutedInstance[], state: ServiceRoute["state"] = "serving"): ServiceRoute => ({
  serviceId: "s1",
  serviceName: "one",
  hosts: ["one.example"],
  state,
  maxConcurrency: 100,
  instances,
});

describe("repairRoute: a route kept from before a start, against what exists now", () => {
  const cases: [string, ServiceRoute, RouteFacts, RouteRepair][] = [
    ["service deleted", route([A]), { exists: false, owned: route([A]) }, { action: "remove", why: "the service no longer exists" }],
    ["deleted while paused", route([], "paused"), { exists: false }, { action: "remove", why: "the service no longer exists" }],
    ["paused service", route([], "paused"), { exists: true }, { action: "keep" }],
    ["serving, nothing serves any longer", route([A]), { exists: true }, { action: "remove", why: "no deployment of the service serves" }],
    ["every instance still owned", route([A, B]), { exists: true, owned: route([A, B]) }, { action: "keep" }],
    ["owned instances not in the route stay out (they join when healthy)", route([A]), { exists: true, owned: route([A, B]) }, { action: "keep" }],
    ["an instance gone", route([A, B]), { exists: true, owned: route([A]) }, { action: "apply", route: route([A]), why: `instances ${B.id} are no longer the service's` }],
    [
      "an address now another instance's",
      route([A, B]),
      { exists: true, owned: route([A, B_ADDRESS_REUSED]) },
      { action: "apply", route: route([A]), why: `instances ${B.id} are no longer the service's` },
    ],
    ["same instance, another port", route([A]), { exists: true, owned: route([{ ...A, port: 9000 }]) }, { action: "apply", route: route([]), why: `instances ${A.id} are no longer the service's` }],
  ];
  for (const [name, persisted, facts, expected] of cases) {
    it(name, () => assert.deepEqual(repairRoute(persisted, facts), expected));
  }
});

describe("routeOf: only the deployment's own healthy instances", () => {
  const d = { deploymentId: "d1", serviceId: "s1", serviceName: "one", hosts: ["one.example"], maxConcurrency: 100, tracing: false, plan: { port: 8080 } } as unknown as DeploymentRecord;
  const live = (id: string, slotAddress: string, o: { deploymentId?: string; serviceId?: string; verdict?: string; ending?: boolean; leaving?: boolean } = {}): LiveInstance =>
    ({
      record: { instanceId: id, deploymentId: o.deploymentId ?? "d1", serviceId: o.serviceId ?? "s1" },
      container: { network: { instanceAddress: slotAddress } },
      checker: { verdict: o.verdict ?? "healthy" },
      ending: o.ending ?? false,
      leaving: o.leaving ?? false,
    }) as unknown as LiveInstance;
  it("leaves out other deployments', other services', unhealthy, leaving and ending instances", () => {
    const instances = [
      live(A.id, A.address),
      live("other-deployment", "127.202.0.10", { deploymentId: "d2" }),
      live("other-service", "127.202.0.14", { serviceId: "s2" }),
      live("starting", "127.202.0.18", { verdict: "starting" }),
      live("leaving", "127.202.0.22", { leaving: true }),
      live("ending", "127.202.0.26", { ending: true }),
    ];
    assert.deepEqual(routeOf(d, instances).instances, [A]);
    assert.deepEqual(routeOf(d, instances, "paused").instances, []);
  });
});
