import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { systemClock } from "../../util/clock.js";
import { cryptoRandom } from "../../util/random.js";
import type { DeploymentSpec } from "../driver.js";
import type { EngineApi, EngineRequest } from "./engine-api.js";
import type { SwarmNode, SwarmService, SwarmTask } from "./engine-types.js";
import { buildServiceSpec } from "./service-spec.js";
import { SwarmWatcher } from "./watcher.js";

const spec: DeploymentSpec = {
  serviceId: "s".repeat(32),
  serviceName: "web",
  serviceArn: "arn:web",
  deploymentId: "d".repeat(32),
  operationId: "o",
  image: { identifier: "r/web:1", digest: `sha256:${"a".repeat(64)}` },
  run: { Port: "8080" },
  instance: {},
  healthCheck: { Protocol: "TCP" },
  autoScaling: { minSize: 1, maxSize: 1, maxConcurrency: 10 },
  hosts: ["web.example"],
  tracing: false,
};

/** A swarm as the Engine API lists it; only the watcher's calls are answered. */
class FakeSwarm {
  services: SwarmService[] = [{ ID: "svc", Version: { Index: 1 }, CreatedAt: "2026-01-01T00:00:00Z", Spec: buildServiceSpec({ spec, pull: { reference: "r/web@sha256:1" }, owner: "own", network: "own", replicas: 1, role: "serving" }) }];
  tasks: SwarmTask[] = [this.task("t1", "running")];
  nodes: SwarmNode[] = [{ ID: "n1", Description: { Hostname: "node-1" }, Status: { State: "ready", Addr: "127.0.0.1" } }];

  task(id: string, state: SwarmTask["Status"]["State"], exitCode = 0): SwarmTask {
    return {
      ID: id,
      ServiceID: "svc",
      NodeID: "n1",
      CreatedAt: "2026-01-01T00:00:00Z",
      DesiredState: state === "running" ? "running" : "shutdown",
      // Port 1 on loopback: the health probe is refused, nothing else is touched.
      Status: { State: state, ContainerStatus: { ContainerID: `c-${id}`, ExitCode: exitCode }, PortStatus: { Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishedPort: 1, PublishMode: "host" }] } },
    };
  }

  api(): EngineApi {
    const answer = (req: EngineRequest): unknown => (req.path === "/services" ? this.services : req.path === "/tasks" ? this.tasks : this.nodes);
    const fake = {
      call: async (req: EngineRequest) => answer(req),
      stream: async () => Readable.from([]),
    };
    return fake as unknown as EngineApi;
  }
}

function watcherOf(swarm: FakeSwarm): { watcher: SwarmWatcher; events: string[]; passes: () => number } {
  const events: string[] = [];
  let passes = 0;
  const watcher = new SwarmWatcher(
    {
      api: swarm.api(),
      owner: "own",
      pullOf: async () => ({ reference: "" }),
      clock: systemClock,
      random: cryptoRandom,
      logs: { append: () => undefined },
      serviceEvent: (s, m) => void events.push(`${s.id.slice(0, 1)}: ${m}`),
      logger: () => undefined,
      watchMs: 60_000,
    },
    async () => void passes++,
  );
  return { watcher, events, passes: () => passes };
}

describe("SwarmWatcher", () => {
  it("adopts what runs at its first pass, then tells only exits that happen afterwards", async () => {
    const swarm = new FakeSwarm();
    swarm.tasks.push(swarm.task("old", "failed", 1));
    const { watcher, events, passes } = watcherOf(swarm);
    await watcher.start();
    try {
      assert.equal(passes(), 1);
      assert.deepEqual(watcher.instances().map((i) => [i.taskId, i.adopted, i.node, i.address, i.port]), [["t1", true, "node-1", "127.0.0.1", 1]]);
      assert.deepEqual(events, [], "an exit from before this control plane started is not told again");
      swarm.tasks = [swarm.task("t1", "failed", 3), swarm.task("old", "failed", 1), swarm.task("t2", "running")];
      await watcher.refresh();
      assert.deepEqual(events, ["s: Instance t1 exited with code 3. Swarm starts a replacement."]);
      assert.deepEqual(watcher.instances().map((i) => [i.taskId, i.adopted]), [["t2", false]], "a replacement is routed once it passes its health check");
      await watcher.refresh();
      assert.equal(events.length, 1, "each exit is told once");
    } finally {
      await watcher.stop();
    }
  });

  it("a deployment being removed does not come back from a listing made before its removal landed", async () => {
    const swarm = new FakeSwarm();
    const { watcher } = watcherOf(swarm);
    await watcher.start();
    try {
      assert.equal(watcher.deployments().length, 1);
      watcher.drop(spec.deploymentId);
      await watcher.refresh();
      assert.deepEqual(watcher.deployments(), [], "still listed by the swarm, but no longer the driver's");
      assert.deepEqual(watcher.instances(), []);
      swarm.services = [];
      await watcher.refresh();
      assert.deepEqual(watcher.deployments(), []);
    } finally {
      await watcher.stop();
    }
  });

  it("a node that goes down: its tasks leave the instances at once, and the service's events say so once", async () => {
    const swarm = new FakeSwarm();
    const { watcher, events } = watcherOf(swarm);
    await watcher.start();
    try {
      assert.equal(watcher.instances().length, 1);
      swarm.nodes = [{ ID: "n1", Description: { Hostname: "node-1" }, Status: { State: "down", Addr: "127.0.0.1" } }];
      await watcher.refresh();
      await watcher.refresh();
      assert.deepEqual(watcher.instances(), []);
      assert.deepEqual(events, ["s: Instance t1 is unreachable: its node node-1 is down. It takes no requests; Swarm starts a replacement on another node."]);
    } finally {
      await watcher.stop();
    }
  });
});
