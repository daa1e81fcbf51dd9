import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeSwarm, formatSwarmProblems, swarmProblems, type EngineInfo, type EngineNode, type SwarmFacts, type SwarmProblemCode } from "./preflight.js";

/** What Debian's Docker 20.10 answers on a healthy manager (trimmed to the fields read). */
const managerInfo: EngineInfo = {
  Name: "m1",
  ServerVersion: "20.10.24+dfsg1",
  Driver: "overlay2",
  CgroupVersion: "2",
  Swarm: { LocalNodeState: "active", ControlAvailable: true, NodeAddr: "10.0.0.1", Nodes: 3, Managers: 1 },
  RegistryConfig: { InsecureRegistryCIDRs: ["127.0.0.0/8"], IndexConfigs: { "docker.io": { Name: "docker.io", Secure: true } } },
};

const node = (hostname: string, addr: string, state = "ready", availability = "active", extra: Partial<EngineNode> = {}): EngineNode => ({
  ID: `${hostname}-id`,
  Description: { Hostname: hostname },
  Spec: { Availability: availability, Role: "worker" },
  Status: { State: state, Addr: addr },
  ...extra,
});
const threeNodes = [node("m1", "10.0.0.1"), node("w1", "10.0.0.2"), node("w2", "10.0.0.3")];

function facts(over: Partial<SwarmFacts> = {}, info: Partial<EngineInfo> = {}): SwarmFacts {
  return {
    info: { ...managerInfo, ...info },
    nodes: threeNodes,
    apiVersion: "1.41",
    overlay: { ok: true },
    registry: { address: "10.0.0.1:8601", tls: true },
    ...over,
  };
}

const swarmOf = (s: NonNullable<EngineInfo["Swarm"]>): Partial<EngineInfo> => ({ Swarm: s });

describe("swarmProblems", () => {
  const table: [string, SwarmFacts, [SwarmProblemCode, "blocking" | "warning"][]][] = [
    ["a healthy three-node swarm pulling over HTTPS has no problem", facts(), []],
    ["a single-node swarm on 127.0.0.1 pulling from a loopback registry over HTTP has no problem",
      facts({ nodes: [node("m1", "127.0.0.1")], registry: { address: "127.0.0.1:8601", tls: false } }, swarmOf({ LocalNodeState: "active", ControlAvailable: true, NodeAddr: "127.0.0.1", Nodes: 1, Managers: 1 })), []],
    ["a daemon outside any swarm", facts({ nodes: undefined, overlay: undefined }, swarmOf({ LocalNodeState: "inactive", ControlAvailable: false })), [["NoSwarm", "blocking"]]],
    ["a daemon that never heard of swarm (empty state)", facts({ nodes: undefined, overlay: undefined }, { Swarm: {} }), [["NoSwarm", "blocking"]]],
    ["a node still joining", facts({ nodes: undefined, overlay: undefined }, swarmOf({ LocalNodeState: "pending" })), [["SwarmNotReady", "blocking"]]],
    ["a locked swarm", facts({ nodes: undefined, overlay: undefined }, swarmOf({ LocalNodeState: "locked" })), [["SwarmNotReady", "blocking"]]],
    ["a worker, not a manager", facts({ nodes: undefined, overlay: undefined }, swarmOf({ LocalNodeState: "active", ControlAvailable: false, NodeAddr: "10.0.0.2" })), [["NotManager", "blocking"]]],
    ["a daemon older than 20.10 is judged before its swarm", facts({ apiVersion: "1.40", nodes: undefined }, swarmOf({ LocalNodeState: "inactive" })), [["OldEngine", "blocking"], ["NoSwarm", "blocking"]]],
    ["a node down is a warning: the others run its tasks", facts({ nodes: [threeNodes[0]!, node("w1", "10.0.0.2", "down"), threeNodes[2]!] }), [["NodeDown", "warning"]]],
    ["a drained node is a warning", facts({ nodes: [threeNodes[0]!, threeNodes[1]!, node("w2", "10.0.0.3", "ready", "drain")] }), [["NodeNotActive", "warning"]]],
    ["no node ready and active blocks",
      facts({ nodes: [node("m1", "10.0.0.1", "ready", "drain"), node("w1", "10.0.0.2", "down")] }),
      [["NoNodeAvailable", "blocking"], ["NodeNotActive", "warning"], ["NodeDown", "warning"]]],
    ["an unreachable manager is a warning",
      facts({ nodes: [node("m1", "10.0.0.1"), node("m2", "10.0.0.2", "ready", "active", { ManagerStatus: { Reachability: "unreachable" } })] }),
      [["ManagerUnreachable", "warning"]]],
    ["no overlay network", facts({ overlay: { ok: false, message: "error creating vxlan interface: operation not supported" } }), [["NoOverlayNetwork", "blocking"]]],
    ["a loopback registry on a three-node swarm", facts({ registry: { address: "127.0.0.1:8601", tls: false } }), [["LoopbackRegistry", "blocking"]]],
    ["localhost is loopback too", facts({ registry: { address: "localhost:8601", tls: true } }), [["LoopbackRegistry", "blocking"]]],
    ["a plain-HTTP registry the daemon does not list as insecure", facts({ registry: { address: "10.0.0.1:8601", tls: false } }), [["RegistryNotTrusted", "blocking"]]],
    ["a plain-HTTP registry listed by host:port in insecure-registries",
      facts({ registry: { address: "10.0.0.1:8601", tls: false } }, { RegistryConfig: { InsecureRegistryCIDRs: ["127.0.0.0/8"], IndexConfigs: { "10.0.0.1:8601": { Name: "10.0.0.1:8601", Secure: false } } } }), []],
    ["a plain-HTTP registry inside an insecure CIDR",
      facts({ registry: { address: "10.0.0.1:8601", tls: false } }, { RegistryConfig: { InsecureRegistryCIDRs: ["127.0.0.0/8", "10.0.0.0/24"] } }), []],
    ["a registry name whose addresses fall in an insecure CIDR",
      facts({ registry: { address: "registry.lan:8601", tls: false, resolved: ["10.0.0.1"] } }, { RegistryConfig: { InsecureRegistryCIDRs: ["10.0.0.0/24"] } }), []],
    ["a registry name that does not resolve",
      facts({ registry: { address: "registry.lan:8601", tls: false, resolved: [], unresolved: "ENOTFOUND" } }, { RegistryConfig: { InsecureRegistryCIDRs: ["10.0.0.0/24"] } }), [["RegistryNotTrusted", "blocking"]]],
    ["IndexConfigs naming the registry as secure wins over a CIDR",
      facts({ registry: { address: "10.0.0.1:8601", tls: false } }, { RegistryConfig: { InsecureRegistryCIDRs: ["10.0.0.0/24"], IndexConfigs: { "10.0.0.1:8601": { Secure: true } } } }), [["RegistryNotTrusted", "blocking"]]],
    ["an IPv6 registry in an insecure CIDR", facts({ registry: { address: "[fd00::1]:8601", tls: false } }, { RegistryConfig: { InsecureRegistryCIDRs: ["fd00::/64"] } }), []],
    ["no registry to check", facts({ registry: undefined }), []],
    ["the vfs storage driver is a warning", facts({}, { Driver: "vfs" }), [["SlowStorageDriver", "warning"]]],
    ["blocking problems come before warnings",
      facts({ nodes: [threeNodes[0]!, node("w1", "10.0.0.2", "down"), threeNodes[2]!], registry: { address: "127.0.0.1:8601", tls: false } }),
      [["LoopbackRegistry", "blocking"], ["NodeDown", "warning"]]],
  ];
  for (const [name, input, want] of table) {
    it(name, () => assert.deepEqual(swarmProblems(input).map((p) => [p.code, p.severity]), want));
  }

  it("says the command that fixes each problem", () => {
    const fixes = (f: SwarmFacts): string[] => swarmProblems(f).map((p) => p.fix);
    assert.match(fixes(facts({ nodes: undefined }, swarmOf({ LocalNodeState: "inactive" })))[0] ?? "", /docker swarm init --advertise-addr/);
    assert.match(fixes(facts({ nodes: undefined }, swarmOf({ LocalNodeState: "active", ControlAvailable: false })))[0] ?? "", /docker node promote/);
    assert.match(fixes(facts({ registry: { address: "10.0.0.1:8601", tls: false } }))[0] ?? "", /"10\.0\.0\.1:8601" to "insecure-registries" in \/etc\/docker\/daemon\.json on every node.*\/etc\/docker\/certs\.d\/10\.0\.0\.1:8601\/ca\.crt/);
    assert.match(fixes(facts({ registry: { address: "127.0.0.1:8601", tls: false } }))[0] ?? "", /--registry-host/);
    assert.match(fixes(facts({ nodes: [node("w1", "10.0.0.2", "ready", "drain"), threeNodes[0]!] }))[0] ?? "", /docker node update --availability active w1/);
    assert.match(fixes(facts({ overlay: { ok: false, message: "x" } }))[0] ?? "", /4789\/udp/);
  });

  it("names the node, its address and the daemon's own words", () => {
    const [down] = swarmProblems(facts({ nodes: [threeNodes[0]!, { ...node("w1", "10.0.0.2", "down"), Status: { State: "down", Addr: "10.0.0.2", Message: "heartbeat failure" } }] }));
    assert.equal(down?.message, "node w1 (10.0.0.2) is down: heartbeat failure; its tasks run on the other nodes.");
    const [overlay] = swarmProblems(facts({ overlay: { ok: false, message: "error creating vxlan interface" } }));
    assert.equal(overlay?.message, "an overlay network could not be created: error creating vxlan interface.");
  });
});

describe("describeSwarm and formatSwarmProblems", () => {
  it("sums up the swarm in one line", () => {
    assert.equal(describeSwarm(facts({ nodes: [threeNodes[0]!, node("w1", "10.0.0.2", "down"), threeNodes[2]!] })),
      "swarm of 3 nodes (2 ready, 1 manager), manager 10.0.0.1, Docker 20.10.24+dfsg1 (API 1.41), overlay2, cgroup v2");
  });

  it("prints each problem with its fix", () => {
    const text = formatSwarmProblems(swarmProblems(facts({ nodes: undefined }, swarmOf({ LocalNodeState: "inactive" }))));
    assert.match(text, /^error: the Docker daemon on m1 is not part of a swarm\.\n {2}fix: run `docker swarm init/);
  });
});
