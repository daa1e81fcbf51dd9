import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SwarmNode, SwarmTask } from "./engine-types.js";
import { endedMessage, firstEnded, nodeAddress, pendingReason, runningInstances, strandedTasks } from "./task-view.js";

const node = (id: string, state: SwarmNode["Status"]["State"], addr: string, manager?: string): SwarmNode => ({
  ID: id,
  Description: { Hostname: `host-${id}` },
  Status: { State: state, Addr: addr },
  ...(manager ? { ManagerStatus: { Addr: manager } } : {}),
});

const task = (id: string, over: Partial<SwarmTask> = {}, status: Partial<SwarmTask["Status"]> = {}): SwarmTask => ({
  ID: id,
  ServiceID: "svc",
  NodeID: "n1",
  CreatedAt: `2026-01-01T00:00:0${id.length}Z`,
  DesiredState: "running",
  ...over,
  Status: {
    State: "running",
    ContainerStatus: { ContainerID: `c-${id}`, ExitCode: 0 },
    PortStatus: { Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishedPort: 30001, PublishMode: "host" }] },
    ...status,
  },
});

const nodes = new Map([
  ["n1", node("n1", "ready", "10.0.0.1")],
  ["n2", node("n2", "down", "10.0.0.2")],
  ["n3", node("n3", "ready", "0.0.0.0", "10.0.0.3:2377")],
]);

describe("runningInstances", () => {
  const port = (): number => 8080;
  const cases: [string, SwarmTask, boolean][] = [
    ["a running task", task("a"), true],
    ["a task still starting", task("b", {}, { State: "starting" }), false],
    ["a task being shut down", task("c", { DesiredState: "shutdown" }), false],
    ["a task on a node that is down", task("d", { NodeID: "n2" }), false],
    ["a task on an unknown node", task("e", { NodeID: "nx" }), false],
    ["a task without its port published yet", task("f", {}, { PortStatus: {} }), false],
  ];
  for (const [what, t, serves] of cases) {
    it(`${what}: ${serves ? "serves" : "does not serve"}`, () => assert.equal(runningInstances([t], nodes, port).length, serves ? 1 : 0));
  }

  it("reaches a task at its node's address and published port", () => {
    assert.deepEqual(runningInstances([task("a")], nodes, port), [{ taskId: "a", swarmId: "svc", nodeId: "n1", node: "host-n1", address: "10.0.0.1", port: 30001, containerId: "c-a" }]);
  });

  it("takes a manager's address when it reports 0.0.0.0", () => {
    assert.equal(nodeAddress(nodes.get("n3") as SwarmNode), "10.0.0.3");
    assert.equal(runningInstances([task("a", { NodeID: "n3" })], nodes, port)[0]?.address, "10.0.0.3");
  });
});

describe("strandedTasks", () => {
  it("finds running tasks whose node is down or gone, not those still starting or being stopped", () => {
    const tasks = [task("a"), task("b", { NodeID: "n2" }), task("c", { NodeID: "nx" }), task("d", { NodeID: "n2" }, { State: "starting" }), task("e", { NodeID: "n2", DesiredState: "shutdown" })];
    assert.deepEqual(strandedTasks(tasks, nodes).map((t) => t.ID), ["b", "c"]);
  });
});

describe("ended tasks", () => {
  it("finds the oldest task that exited or could not start", () => {
    const tasks = [task("a"), task("bbb", {}, { State: "failed", ContainerStatus: { ExitCode: 3 } }), task("cc", {}, { State: "rejected", Err: "No such image" })];
    assert.equal(firstEnded(tasks, "svc")?.ID, "cc");
    assert.equal(firstEnded(tasks, "other"), undefined);
  });

  const messages: [Partial<SwarmTask["Status"]>, string][] = [
    [{ State: "failed", ContainerStatus: { ExitCode: 3 } }, "Instance t exited with code 3."],
    [{ State: "failed", ContainerStatus: { ExitCode: 137 } }, "Instance t exited with code 137 (signal 9)."],
    [{ State: "complete", ContainerStatus: { ExitCode: 0 } }, "Instance t exited with code 0."],
    [{ State: "rejected", Err: "No such image: x@sha256:1" }, "Instance t could not start: No such image: x@sha256:1."],
  ];
  for (const [status, want] of messages) it(want, () => assert.equal(endedMessage(task("t", {}, status)), want));

  it("says why tasks wait", () => {
    assert.equal(pendingReason([task("a", {}, { State: "pending", Err: "no suitable node (insufficient resources on 1 node)" })], "svc"), "no suitable node (insufficient resources on 1 node)");
    assert.equal(pendingReason([task("a")], "svc"), undefined);
  });
});
