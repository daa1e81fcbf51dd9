/*
 * The three-node Docker-in-Docker swarm the Swarm driver's tests and benchmarks run on
 * (test/support/swarm-cluster.ts): three Ready nodes; a dnsrr service on an overlay network
 * whose image the nodes pull from a registry on the host's bridge address, spread one task per
 * node, each answering on its node's host-mode port; a node that dies has its task rescheduled
 * on the others, and comes back; stop() leaves nothing behind.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { dockerdSkipReason } from "./support/dockerd.js";
import { eventually } from "./support/harness.js";
import { buildAndPushImage } from "./support/oci-image.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { startSwarmCluster, type SwarmCluster } from "./support/swarm-cluster.js";

interface TaskView {
  ID: string;
  NodeID: string;
  DesiredState: string;
  Status: { State: string; PortStatus?: { Ports?: Array<{ PublishedPort?: number }> } };
}
interface NodeView {
  ID: string;
  Description: { Hostname: string };
  Status: { State: string; Addr: string };
  Spec: { Role: string };
  ManagerStatus?: { Leader?: boolean; Reachability: string };
}

const SERVICE = "hello";
const PAGE = "hello from a swarm node\n";

/** Running tasks of the service with the address (node address, published port) each answers at. */
async function runningTasks(cluster: SwarmCluster): Promise<Array<{ task: string; node: string; url: string }>> {
  const [tasks, nodes] = await Promise.all([
    cluster.manager.call<TaskView[]>({ path: "/tasks", query: { filters: JSON.stringify({ service: [SERVICE], "desired-state": ["running"] }) } }),
    cluster.manager.call<NodeView[]>({ path: "/nodes" }),
  ]);
  return tasks
    .filter((t) => t.Status.State === "running")
    .map((t) => {
      const node = nodes.find((n) => n.ID === t.NodeID);
      const port = t.Status.PortStatus?.Ports?.[0]?.PublishedPort;
      return { task: t.ID, node: node?.Description.Hostname ?? t.NodeID, url: `http://${node?.Status.Addr}:${port}/` };
    });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 && (await res.text()) === PAGE;
  } catch {
    return false;
  }
}

/** Bounded wait until three tasks run, none on `avoid`, and every one answers HTTP from the host. */
async function threeServing(cluster: SwarmCluster, timeoutMs: number, avoid?: string): Promise<Array<{ task: string; node: string; url: string }>> {
  const deadline = Date.now() + timeoutMs;
  let last: Array<{ task: string; node: string; url: string }> = [];
  while (Date.now() < deadline) {
    last = await runningTasks(cluster);
    if (last.length === 3 && !last.some((t) => t.node === avoid) && (await Promise.all(last.map((t) => answers(t.url)))).every(Boolean)) return last;
    await sleep(250);
  }
  assert.fail(`three answering tasks${avoid ? ` off ${avoid}` : ""} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

describe("three-node Docker-in-Docker swarm", { skip: dockerdSkipReason() }, () => {
  let cluster: SwarmCluster;
  let registry: TestRegistry | undefined;

  before(async () => {
    const started = Date.now();
    cluster = await startSwarmCluster();
    console.log(`# swarm cluster up in ${Date.now() - started} ms: ${JSON.stringify(cluster.startupMs)}`);
    registry = await startRegistry({ listenHost: cluster.gateway });
  });
  after(async () => {
    await registry?.stop();
    await cluster?.stop();
  });

  it("has three Ready nodes, one manager and two workers, at their bridge addresses", async () => {
    const nodes = await cluster.manager.call<NodeView[]>({ path: "/nodes" });
    assert.deepEqual(
      nodes.map((n) => [n.Description.Hostname, n.Status.State, n.Spec.Role, n.Status.Addr]).sort(),
      cluster.nodes.map((n) => [n.name, "ready", n.role, n.address]),
    );
    for (const n of cluster.nodes) assert.ok(n.address.startsWith(cluster.gateway.replace(/\.1$/, ".")));
  });

  it("spreads a dnsrr service pulled from the gateway's registry one task per node, each answering on its node's host port", async () => {
    assert.ok(registry);
    const image = await buildAndPushImage(registry.host, "hello", "v1", {
      busybox: true,
      files: { "/www/index.html": PAGE },
      cmd: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
    });
    await cluster.manager.call({ method: "POST", path: "/networks/create", body: { Name: "apps", Driver: "overlay", Attachable: true } });
    await cluster.manager.call({
      method: "POST",
      path: "/services/create",
      body: {
        Name: SERVICE,
        TaskTemplate: {
          ContainerSpec: { Image: `${registry.host}/hello@${image.digest}` },
          RestartPolicy: { Condition: "any", Delay: 1e9 },
          Placement: { Preferences: [{ Spread: { SpreadDescriptor: "node.id" } }] },
          Networks: [{ Target: "apps" }],
        },
        Mode: { Replicated: { Replicas: 3 } },
        EndpointSpec: { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishMode: "host" }] },
      },
    });
    const tasks = await threeServing(cluster, 90_000);
    assert.deepEqual(tasks.map((t) => t.node).sort(), ["node1", "node2", "node3"]);
  });

  it("reschedules a dead node's task on the others, and takes the node back", async () => {
    const victim = "node3";
    const started = Date.now();
    await cluster.stopNode(victim);
    const tasks = await threeServing(cluster, 90_000, victim);
    console.log(`# ${victim} killed -> three tasks answering again in ${Date.now() - started} ms`);
    assert.ok(tasks.every((t) => t.node !== victim));
    const down = (await cluster.manager.call<NodeView[]>({ path: "/nodes" })).find((n) => n.Description.Hostname === victim);
    assert.equal(down?.Status.State, "down");

    const restarted = Date.now();
    await cluster.startNode(victim);
    console.log(`# ${victim} started -> Ready in ${Date.now() - restarted} ms`);
    const back = await cluster.api(victim);
    const info = await back.call<{ Swarm: { LocalNodeState: string } }>({ path: "/info" });
    assert.equal(info.Swarm.LocalNodeState, "active");
  });

  it("stop() removes the nodes, the bridge, the cgroups and the outer daemon", async () => {
    const { outer } = cluster;
    const hex = outer.dir.slice(outer.dir.lastIndexOf("-") + 1);
    await registry?.stop();
    await cluster.stop();
    assert.equal(existsSync(outer.dir), false);
    assert.equal(existsSync(`/sys/class/net/ord-${hex}`), false);
    assert.throws(() => process.kill(outer.pid, 0));
    // cgroup v1: one tree per controller; v2: the one tree at the top.
    const cgroups = readdirSync("/sys/fs/cgroup").flatMap((h) => {
      try {
        return [h, ...readdirSync(`/sys/fs/cgroup/${h}`)];
      } catch {
        return [h];
      }
    }).filter((n) => n.startsWith(`openrunner-test-${hex}`));
    assert.deepEqual(cgroups, []);
  });
});

describe("three-node swarm of three managers", { skip: dockerdSkipReason() }, () => {
  let cluster: SwarmCluster | undefined;
  after(() => cluster?.stop());

  it("keeps a leader when the first manager dies", async () => {
    cluster = await startSwarmCluster({ managers: 3 });
    const nodes = await cluster.manager.call<NodeView[]>({ path: "/nodes" });
    assert.deepEqual(nodes.map((n) => [n.Description.Hostname, n.Spec.Role, n.ManagerStatus?.Reachability]).sort(), [
      ["node1", "manager", "reachable"],
      ["node2", "manager", "reachable"],
      ["node3", "manager", "reachable"],
    ]);
    assert.equal(nodes.find((n) => n.ManagerStatus?.Leader)?.Description.Hostname, "node1");

    const started = Date.now();
    await cluster.stopNode("node1");
    const other = await cluster.api("node2");
    // Raft elects a new leader among node2 and node3; until then the managers refuse /nodes.
    const after = await eventually(async () => {
      const view = await other.call<NodeView[]>({ path: "/nodes" });
      return view.find((n) => n.Description.Hostname === "node1")?.Status.State === "down" ? view : undefined;
    }, 90_000, 250);
    console.log(`# node1 (leader) killed -> new leader, node1 Down in ${Date.now() - started} ms`);
    assert.match(after.find((n) => n.ManagerStatus?.Leader)?.Description.Hostname ?? "", /^node[23]$/);
  });
});
