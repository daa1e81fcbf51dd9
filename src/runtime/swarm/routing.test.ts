import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lostTasks, routable, routeKey, routeOf } from "./routing.js";
import type { SwarmDeployment } from "./service-spec.js";

const d = {
  serviceId: "s1",
  serviceName: "web",
  settings: { hosts: ["web.example"], maxConcurrency: 50, tracing: true },
} as unknown as SwarmDeployment;
const task = { taskId: "t1", address: "10.0.0.1", port: 30001 };

describe("swarm routing", () => {
  const cases: [boolean, boolean, boolean][] = [
    [true, false, true],
    [false, true, true],
    [false, false, false],
  ];
  for (const [healthy, adopted, want] of cases) {
    it(`healthy ${healthy}, adopted ${adopted}: ${want ? "routed" : "not routed"}`, () => assert.equal(routable({ healthy, adopted } as Parameters<typeof routable>[0]), want));
  }

  it("a task that moved is lost under its old key", () => {
    const before = [routeKey(task), routeKey({ ...task, taskId: "t2" })];
    assert.deepEqual(lostTasks(before, [routeKey({ ...task, port: 30002 }), routeKey({ ...task, taskId: "t2" })]), ["t1"]);
    assert.deepEqual(lostTasks(before, before), []);
  });

  it("routes the deployment's hosts to its tasks; a paused route has none", () => {
    assert.deepEqual(routeOf(d, [task]), { serviceId: "s1", serviceName: "web", hosts: ["web.example"], state: "serving", maxConcurrency: 50, instances: [{ id: "t1", address: "10.0.0.1", port: 30001 }], tracing: true });
    assert.deepEqual(routeOf(d, [task], "paused").instances, []);
  });
});
