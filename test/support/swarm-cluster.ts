/*
 * A three-node Docker Swarm for tests and benchmarks, all on this machine: a private outer
 * dockerd (test/support/dockerd.ts, no swarm, no iptables) runs one Docker-in-Docker container
 * per node on a bridge network of its own; each node runs Debian's dockerd from the host's /usr
 * with its data root on a host directory (never overlay on overlay) and its socket bind-mounted
 * out, so the host talks to every node's Engine API over a unix socket and reaches the nodes
 * (and the tasks' host-mode ports) at their bridge addresses. Node 1 is the manager, 2 and 3
 * are workers (or managers too, with `managers: 3`). The bridge is internal: nodes talk to each other and to the host's address on
 * the bridge (`gateway`, where a test registry listens) and nowhere else.
 *
 *   const cluster = await startSwarmCluster();
 *   after(() => cluster.stop());
 *   await cluster.manager.call({ method: "POST", path: "/services/create", body: ... });
 *
 * Everything is named after the outer daemon's directory `/tmp/ord-<hex>`: bridge `ord-<hex>`,
 * cgroups under `/openrunner-test-<hex>`; `stop()` and the next cluster's start remove them by
 * those names even after a crashed run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EngineApi } from "../../src/runtime/swarm/engine-api.js";
import { startPrivateDockerd, type PrivateDockerd } from "./dockerd.js";
import { eventually } from "./harness.js";
import { importNodeImage, NODE_IMAGE } from "./swarm-node-image.js";
import { cgroupRoots, removeTestCgroups } from "./test-cgroups.js";

export interface SwarmClusterNode {
  /** `node1`, `node2`, `node3`: the node container's name and the swarm node's hostname. */
  name: string;
  /** The node's address on the bridge: its swarm address, where its tasks' host-mode ports answer. */
  address: string;
  /** The node container in the outer daemon. */
  containerId: string;
  /** The node's own dockerd socket on the host. */
  socket: string;
  role: "manager" | "worker";
}

export interface SwarmCluster {
  /** The manager's (node 1's) Engine API. */
  manager: EngineApi;
  nodes: SwarmClusterNode[];
  /** The host's address on the bridge: a registry listening here is reachable (plain HTTP) from every node. */
  gateway: string;
  /** The bridge's subnet (every node's dockerd accepts plain-HTTP registries in it). */
  subnet: string;
  /** How long each step of the start took (ms): outer daemon, node image, node daemons, swarm, all Ready. */
  startupMs: Record<"outerDaemon" | "nodeImage" | "nodeDaemons" | "swarm" | "ready", number>;
  /** The outer daemon that runs the nodes. */
  outer: PrivateDockerd;
  /** The node's own Engine API (it must be running). */
  api(name: string): Promise<EngineApi>;
  /** Kills the node's container (a machine that dies: no goodbye to the swarm). */
  stopNode(name: string): Promise<void>;
  /** Starts a stopped node again and waits (bounded) until the swarm sees it Ready. */
  startNode(name: string): Promise<void>;
  /** Removes every node, their state, the bridge, the cgroups and the outer daemon; safe to call twice. */
  stop(): Promise<void>;
}

export interface SwarmClusterOptions {
  /** Nodes in the swarm (default 3; the first is the manager). */
  nodes?: number;
  /**
   * How many of them are managers (default 1: node 1). Three keep a Raft quorum when one dies; a
   * new leader then takes about 20 s here: Docker 20.10's election timeout is a fixed 10 ticks of
   * 1 s (the swarm spec's Raft.ElectionTick is ignored and the daemon has no flag for it).
   */
  managers?: number;
  /** Swarm's heartbeat period: a dead node is Down after about three of them (default 1 s, Docker's is 5 s). */
  heartbeatMs?: number;
}

const NETWORK = "swarm-nodes";

/** Where a node keeps its state on the host: its dockerd socket directory and its data root. */
const nodeDir = (outer: PrivateDockerd, name: string): string => join(outer.dir, "nodes", name);

function hexOf(outer: PrivateDockerd): string {
  return outer.dir.slice(outer.dir.lastIndexOf("-") + 1);
}

/** A /24 in 10.213.0.0/16 that no interface or route of the host uses. */
function freeSubnet(): number {
  const routes = execFileSync("ip", ["-4", "-o", "route", "show", "table", "all"], { encoding: "utf8" });
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((x) => !routes.includes(`10.213.${x}.`));
  if (free.length === 0) throw new Error("every 10.213.x.0/24 is in use on this host");
  return free[Math.floor(Math.random() * free.length)] ?? 1;
}

/** What a cluster leaves outside the outer daemon's directory: its bridge and its cgroups. */
async function removeLeftovers(hex: string): Promise<void> {
  if (existsSync(`/sys/class/net/ord-${hex}`)) execFileSync("ip", ["link", "del", `ord-${hex}`]);
  await removeTestCgroups(hex);
}

/**
 * Leftovers of clusters whose outer daemon's directory is gone: dockerd.ts removes the directory of
 * a crashed run's daemon (stopping it by PID) but not the bridge or the cgroups, where a killed
 * outer daemon's nodes may still run. A directory always exists before its daemon makes cgroups
 * and is removed only once the daemon has stopped, so a cgroup without one has no daemon left.
 */
async function removeAbandoned(): Promise<void> {
  const hexes = new Set<string>();
  for (const link of readdirSync("/sys/class/net")) {
    const m = /^ord-([0-9a-f]{6})$/.exec(link);
    if (m?.[1]) hexes.add(m[1]);
  }
  for (const { hex } of cgroupRoots()) hexes.add(hex);
  for (const hex of hexes) if (!existsSync(`/tmp/ord-${hex}`)) await removeLeftovers(hex);
}

/** Bounded wait for `check` to return a value, saying what was awaited when it does not. */
function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  return eventually(check, timeoutMs, 200).catch((err: unknown) => {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
}

interface SwarmNodeView {
  ID: string;
  Description: { Hostname: string };
  Status: { State: string; Addr: string };
}

function nodeContainerSpec(outer: PrivateDockerd, name: string, address: string, subnet: string): Record<string, unknown> {
  const dir = nodeDir(outer, name);
  return {
    Image: NODE_IMAGE,
    Hostname: name,
    // `container` tells the inner dockerd it runs in a container: it then skips AppArmor, whose profiles it could not load from here.
    Env: ["container=docker", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"],
    Labels: { "openrunner.test.swarm-cluster": outer.dir },
    // A crashed run's outer daemon is stopped by SIGTERM: its nodes need not take Docker's 10 s each.
    StopTimeout: 2,
    // docker-init (tini) reaps the inner daemon's orphans; --init would mount it at /sbin, a link into the read-only /usr.
    Cmd: [
      "/usr/bin/docker-init", "--", "/usr/sbin/dockerd",
      "--host", "unix:///node/docker.sock",
      "--data-root", "/var/lib/docker",
      "--bridge=none",
      // The node's containers in cgroups of the outer daemon's tree, so they are found and removed by its name.
      "--cgroup-parent", `/openrunner-test-${hexOf(outer)}/${name}`,
      "--insecure-registry", subnet,
    ],
    HostConfig: {
      // The recipe of the platform notes: every capability but SYS_RESOURCE, not --privileged.
      CapAdd: ["ALL"],
      CapDrop: ["SYS_RESOURCE"],
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      // The CLI's `systempaths=unconfined`: /proc/sys writable, for the inner dockerd's per-netns sysctls (forwarding, overlay).
      MaskedPaths: [],
      ReadonlyPaths: [],
      CgroupnsMode: "host",
      Binds: [
        "/usr:/usr:ro",
        "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        `${dir}/node:/node`,
        `${dir}/data:/var/lib/docker`,
      ],
      // A fresh /run at each start: a stopped node's stale pid files would keep its dockerd from starting again.
      Tmpfs: { "/run": "rw,exec,mode=755", "/tmp": "rw,exec,mode=1777" },
      NetworkMode: NETWORK,
    },
    NetworkingConfig: { EndpointsConfig: { [NETWORK]: { IPAMConfig: { IPv4Address: address } } } },
  };
}

/** The last lines a node container wrote (its inner dockerd's log), from the outer daemon's multiplexed log stream. */
async function nodeLog(outer: PrivateDockerd, node: SwarmClusterNode): Promise<string> {
  const res = await outer.api.stream({ path: `/containers/${node.containerId}/logs`, query: { stdout: 1, stderr: 1, tail: 15 } });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const lines: string[] = [];
  // Each frame: 1 byte stream, 3 zero bytes, 4 bytes big-endian length, then the payload.
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4)) lines.push(raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)).toString("utf8"));
  return lines.join("");
}

/** The node's dockerd answering on its socket (bounded); a node container that exited fails at once, with its log. */
async function nodeApi(outer: PrivateDockerd, node: SwarmClusterNode, timeoutMs = 60_000): Promise<EngineApi> {
  const got = await until<{ api: EngineApi } | { exitCode: number }>(`${node.name}'s dockerd on ${node.socket}`, timeoutMs, async () => {
    const api = await EngineApi.connect(node.socket).catch(() => undefined);
    if (api) return { api };
    const state = await outer.api.call<{ State: { Running: boolean; ExitCode: number } }>({ path: `/containers/${node.containerId}/json` });
    return state.State.Running ? undefined : { exitCode: state.State.ExitCode };
  });
  if ("api" in got) return got.api;
  const log = await nodeLog(outer, node).catch((err: unknown) => `(no log: ${String(err)})`);
  throw new Error(`swarm node ${node.name} exited with code ${got.exitCode}:\n${log}`);
}

async function waitReady(manager: EngineApi, names: string[], timeoutMs: number): Promise<void> {
  await until(`swarm nodes ${names.join(", ")} Ready`, timeoutMs, async () => {
    const nodes = await manager.call<SwarmNodeView[]>({ path: "/nodes" });
    const ready = new Set(nodes.filter((n) => n.Status.State === "ready").map((n) => n.Description.Hostname));
    return names.every((n) => ready.has(n)) ? true : undefined;
  });
}

/** Starts the outer daemon, the nodes and the swarm; removes everything it made if any step fails. */
export async function startSwarmCluster(opts: SwarmClusterOptions = {}): Promise<SwarmCluster> {
  const count = opts.nodes ?? 3;
  let last = Date.now();
  const took = (): number => -last + (last = Date.now());
  const outer = await startPrivateDockerd();
  const outerDaemon = took();
  // After the private dockerd's own sweep, which removes crashed runs' directories first.
  await removeAbandoned().catch(async (err: unknown) => {
    await outer.stop();
    throw err;
  });
  const hex = hexOf(outer);
  let stopped: Promise<void> | undefined;
  const nodes: SwarmClusterNode[] = [];
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        // Killed at once: a graceful stop would wait for each inner dockerd to stop its tasks. A
        // node or the bridge this cannot remove (the outer daemon already dead) goes with the
        // outer daemon's stop and removeLeftovers below, which do not depend on it answering.
        for (const n of nodes) {
          await outer.api.call({ method: "DELETE", path: `/containers/${n.containerId}`, query: { force: true, v: true } }).catch((err: unknown) => console.error(`swarm cluster: removing ${n.name}: ${String(err)}`));
        }
        await outer.api.call({ method: "DELETE", path: `/networks/${NETWORK}` }).catch((err: unknown) => console.error(`swarm cluster: removing the bridge: ${String(err)}`));
      } finally {
        await outer.stop();
        await removeLeftovers(hex);
      }
    })();
    return stopped;
  };
  try {
    const x = freeSubnet();
    const subnet = `10.213.${x}.0/24`;
    const gateway = `10.213.${x}.1`;
    await outer.api.call({
      method: "POST",
      path: "/networks/create",
      body: {
        Name: NETWORK,
        Driver: "bridge",
        // No route out: the nodes reach each other and the host's gateway address, nothing else.
        Internal: true,
        IPAM: { Config: [{ Subnet: subnet, Gateway: gateway }] },
        Options: { "com.docker.network.bridge.name": `ord-${hex}` },
      },
    });
    await importNodeImage(outer.api, outer.dir);
    const nodeImage = took();
    for (let i = 1; i <= count; i++) {
      const name = `node${i}`;
      const address = `10.213.${x}.${10 + i}`;
      for (const d of ["node", "data"]) mkdirSync(join(nodeDir(outer, name), d), { recursive: true });
      const created = await outer.api.call<{ Id: string }>({ method: "POST", path: "/containers/create", query: { name }, body: nodeContainerSpec(outer, name, address, subnet) });
      nodes.push({ name, address, containerId: created.Id, socket: join(nodeDir(outer, name), "node", "docker.sock"), role: i <= (opts.managers ?? 1) ? "manager" : "worker" });
      await outer.api.call({ method: "POST", path: `/containers/${created.Id}/start` });
    }
    const [first, ...others] = await Promise.all(nodes.map(async (n) => ({ node: n, api: await nodeApi(outer, n) })));
    if (!first) throw new Error("a swarm needs at least one node");
    const manager = first.api;
    const nodeDaemons = took();
    await manager.call({
      method: "POST",
      path: "/swarm/init",
      body: {
        ListenAddr: "0.0.0.0:2377",
        AdvertiseAddr: first.node.address,
        // A dead node is Down (and its tasks rescheduled) after about three missed heartbeats.
        Spec: { Dispatcher: { HeartbeatPeriod: (opts.heartbeatMs ?? 1000) * 1e6 } },
      },
    });
    const swarm = await manager.call<{ JoinTokens: { Worker: string; Manager: string } }>({ path: "/swarm" });
    for (const { node, api } of others) {
      await api.call({
        method: "POST",
        path: "/swarm/join",
        body: { ListenAddr: "0.0.0.0:2377", AdvertiseAddr: node.address, RemoteAddrs: [`${first.node.address}:2377`], JoinToken: node.role === "manager" ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker },
      });
    }
    const swarmJoined = took();
    await waitReady(manager, nodes.map((n) => n.name), 60_000);
    const startupMs = { outerDaemon, nodeImage, nodeDaemons, swarm: swarmJoined, ready: took() };
    const byName = (name: string): SwarmClusterNode => {
      const node = nodes.find((n) => n.name === name);
      if (!node) throw new Error(`no swarm node ${name} (nodes: ${nodes.map((n) => n.name).join(", ")})`);
      return node;
    };
    return {
      manager,
      nodes,
      gateway,
      subnet,
      startupMs,
      outer,
      api: (name) => EngineApi.connect(byName(name).socket),
      stopNode: async (name) => {
        await outer.api.call({ method: "POST", path: `/containers/${byName(name).containerId}/kill` });
        await outer.api.call({ method: "POST", path: `/containers/${byName(name).containerId}/wait`, timeoutMs: 30_000 });
      },
      startNode: async (name) => {
        const node = byName(name);
        await outer.api.call({ method: "POST", path: `/containers/${node.containerId}/start` });
        await nodeApi(outer, node);
        await waitReady(manager, [name], 60_000);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
