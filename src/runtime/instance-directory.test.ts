import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { instanceStatus, localInstanceDirectory, swarmInstanceDirectory } from "./instance-directory.js";
import type { InstanceView } from "./local/live-instance.js";
import type { SwarmInstanceView } from "./swarm/types.js";

describe("instance directory: a driver's instances in the API's words", () => {
  it("derives the status from the health verdict and whether the instance serves", () => {
    const table: [healthy: boolean, serving: boolean, status: string][] = [
      [true, true, "HEALTHY"],
      [true, false, "HEALTHY"], // a standby deployment's instance, or one draining away
      [false, false, "STARTING"],
      [false, true, "UNHEALTHY"],
    ];
    for (const [healthy, serving, status] of table) assert.equal(instanceStatus({ healthy, serving }), status, `${healthy} ${serving}`);
  });

  it("places every local instance on this machine, asking the driver for the one service", () => {
    const asked: string[] = [];
    const view: InstanceView = {
      instanceId: "i1", deploymentId: "d1", serviceId: "s1", address: "127.203.0.2", port: 8080, healthy: true, serving: true, pid: 42, containerId: "c1",
    };
    const dir = localInstanceDirectory({ instances: (id) => (asked.push(id), [view]) });
    assert.deepEqual(dir.instances("s1"), [
      { InstanceId: "i1", DeploymentId: "d1", Node: hostname(), Address: "127.203.0.2", Port: 8080, Status: "HEALTHY", Serving: true },
    ]);
    assert.deepEqual(asked, ["s1"]);
  });

  it("places each Swarm task on its node", async () => {
    const tasks: SwarmInstanceView[] = [
      { instanceId: "t1", deploymentId: "d2", serviceId: "s2", node: "node-a", address: "10.0.0.1", port: 30001, healthy: true, serving: true },
      { instanceId: "t2", deploymentId: "d2", serviceId: "s2", node: "node-b", address: "10.0.0.2", port: 30002, healthy: false, serving: false },
    ];
    const dir = swarmInstanceDirectory({ instances: async () => Promise.resolve(tasks) });
    const out = await dir.instances("s2");
    assert.deepEqual(out.map((i) => [i.InstanceId, i.Node, i.Address, i.Port, i.Status, i.Serving]), [
      ["t1", "node-a", "10.0.0.1", 30001, "HEALTHY", true],
      ["t2", "node-b", "10.0.0.2", 30002, "STARTING", false],
    ]);
  });
});
