/**
 * What `openrunner up --runtime swarm` checks before it trusts a swarm with services: the
 * manager's own answers (GET /info, /nodes, /version) and one probe (can an overlay network be
 * made?), judged by a pure function into problems an operator can act on, each with the
 * command that fixes it. Only the manager's daemon is visible through its Engine API: other
 * nodes' daemon settings (insecure registries, certificates) are judged by the manager's and
 * said to hold "on every node".
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { hostOnly, isLoopbackHost } from "../../images/registry-config.js";
import { compareApiVersions, MIN_ENGINE_API } from "./api-version.js";
import { EngineApiError, type EngineApi } from "./engine-api.js";
import { LABELS } from "./types.js";

/** The parts of GET /info the checks read. */
export interface EngineInfo {
  Name?: string;
  ServerVersion?: string;
  Driver?: string;
  CgroupVersion?: string;
  Swarm?: {
    /** "" | inactive | pending | active | error | locked */
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    NodeAddr?: string;
    Nodes?: number;
    Managers?: number;
    Error?: string;
  };
  RegistryConfig?: {
    InsecureRegistryCIDRs?: string[] | null;
    IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null;
  };
}

/** The parts of one GET /nodes entry the checks read. */
export interface EngineNode {
  ID?: string;
  Spec?: { Availability?: string; Role?: string };
  Description?: { Hostname?: string };
  /** State: unknown | down | ready | disconnected. */
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Reachability?: string; Leader?: boolean };
}

/** Where every node pulls the deployments' images from (the built-in registry's address as the nodes reach it). */
export interface RegistryReach {
  /** `host:port` exactly as in the image references the nodes get. */
  address: string;
  /** Served over HTTPS (else plain HTTP). */
  tls: boolean;
  /** The host's IP addresses when it is a name (Docker judges insecure registries by them). */
  resolved?: string[];
  /** Why the name did not resolve on the manager. */
  unresolved?: string;
}

export interface SwarmFacts {
  info: EngineInfo;
  /** GET /nodes: only a manager answers it. */
  nodes?: EngineNode[];
  /** The daemon's ApiVersion from GET /version. */
  apiVersion: string;
  /** Whether a probe overlay network could be created (undefined: not tried). */
  overlay?: { ok: true } | { ok: false; message: string };
  registry?: RegistryReach;
}

export type SwarmProblemCode =
  | "NoSwarm"
  | "SwarmNotReady"
  | "NotManager"
  | "OldEngine"
  | "NoNodeAvailable"
  | "NodeDown"
  | "NodeNotActive"
  | "ManagerUnreachable"
  | "NoOverlayNetwork"
  | "LoopbackRegistry"
  | "RegistryNotTrusted"
  | "SlowStorageDriver";

export interface SwarmProblem {
  code: SwarmProblemCode;
  /** blocking: services cannot run (up refuses the swarm); warning: they run, with less than asked. */
  severity: "blocking" | "warning";
  /** What is wrong, in the operator's words. */
  message: string;
  /** The command or step that fixes it. */
  fix: string;
}

const problem = (code: SwarmProblemCode, severity: SwarmProblem["severity"], message: string, fix: string): SwarmProblem => ({ code, severity, message, fix });

function nodeName(n: EngineNode): string {
  return n.Description?.Hostname ?? n.ID?.slice(0, 12) ?? "a node";
}

function swarmState(facts: SwarmFacts): SwarmProblem[] {
  const swarm = facts.info.Swarm ?? {};
  const state = swarm.LocalNodeState ?? "";
  const daemon = facts.info.Name ? `the Docker daemon on ${facts.info.Name}` : "this Docker daemon";
  if (state === "" || state === "inactive") {
    return [problem("NoSwarm", "blocking", `${daemon} is not part of a swarm.`, "run `docker swarm init --advertise-addr <ip other machines reach it at>` on it, then `docker swarm join --token <token> <ip>:2377` on each other machine (docker swarm join-token worker prints the command)")];
  }
  if (state === "locked") {
    return [problem("SwarmNotReady", "blocking", `${daemon}'s swarm is locked (autolock after a restart).`, "run `docker swarm unlock` on it with the unlock key")];
  }
  if (state !== "active") {
    const why = swarm.Error ? `: ${swarm.Error}` : "";
    return [problem("SwarmNotReady", "blocking", `${daemon} is in swarm state "${state}"${why}.`, "wait for it to join, or leave and join again: `docker swarm leave --force` then `docker swarm join --token <token> <manager-ip>:2377`")];
  }
  if (!swarm.ControlAvailable) {
    return [problem("NotManager", "blocking", `${daemon} is a swarm worker: only a manager can create services.`, "point --docker-host at a manager's Engine API (`docker node ls` works there), or promote this node on a manager: `docker node promote <this node's hostname>`")];
  }
  return [];
}

function engineVersion(facts: SwarmFacts): SwarmProblem[] {
  let old: boolean;
  try {
    old = compareApiVersions(facts.apiVersion, MIN_ENGINE_API) < 0;
  } catch {
    old = true; // An unreadable version is no version we know.
  }
  if (!old) return [];
  return [problem("OldEngine", "blocking", `the Docker daemon speaks Engine API ${facts.apiVersion}; OpenRunner needs ${MIN_ENGINE_API} or newer.`, "upgrade Docker to 20.10 or newer on every node (Debian 12: `apt-get install docker.io`)")];
}

function nodeHealth(nodes: EngineNode[]): SwarmProblem[] {
  const out: SwarmProblem[] = [];
  const usable = nodes.filter((n) => n.Status?.State === "ready" && (n.Spec?.Availability ?? "active") === "active");
  if (nodes.length > 0 && usable.length === 0) {
    out.push(problem("NoNodeAvailable", "blocking", "no node of the swarm is ready and active: no task can be placed.", "bring a node back (`systemctl start docker` on it) or make one active: `docker node update --availability active <hostname>`"));
  }
  for (const n of nodes) {
    const name = nodeName(n);
    const state = n.Status?.State ?? "unknown";
    const where = n.Status?.Addr ? ` (${n.Status.Addr})` : "";
    if (state !== "ready") {
      const why = n.Status?.Message ? `: ${n.Status.Message}` : "";
      out.push(problem("NodeDown", "warning", `node ${name}${where} is ${state}${why}; its tasks run on the other nodes.`, `start Docker on it (\`systemctl start docker\`), or remove it from the swarm: \`docker node rm --force ${name}\``));
    } else if ((n.Spec?.Availability ?? "active") !== "active") {
      out.push(problem("NodeNotActive", "warning", `node ${name}${where} is ${n.Spec?.Availability ?? ""}: it takes no new tasks.`, `\`docker node update --availability active ${name}\` when it should run services again`));
    }
    if (n.ManagerStatus?.Reachability === "unreachable" && state === "ready") {
      out.push(problem("ManagerUnreachable", "warning", `manager ${name}${where} is unreachable from the other managers; the swarm loses its quorum if another manager fails.`, "let the managers reach each other on 2377/tcp, or demote it: `docker node demote " + name + "`"));
    }
  }
  return out;
}

function overlay(facts: SwarmFacts): SwarmProblem[] {
  if (!facts.overlay || facts.overlay.ok) return [];
  return [problem("NoOverlayNetwork", "blocking", `an overlay network could not be created: ${facts.overlay.message}.`, "load the kernel's vxlan module on every node (`modprobe vxlan`) and let the nodes reach each other on 2377/tcp, 7946/tcp+udp and 4789/udp")];
}

/** Docker's own rule (registry.isSecureIndex): a registry named in IndexConfigs as insecure, or whose address is in an insecure CIDR. */
function daemonTrustsPlainHttp(info: EngineInfo, reg: RegistryReach): boolean {
  const config = info.RegistryConfig ?? {};
  const named = config.IndexConfigs?.[reg.address];
  if (named) return named.Secure === false;
  const insecure = new BlockList();
  // Docker always treats loopback as insecure; /info lists it, but an old answer may not.
  const cidrs = [...(config.InsecureRegistryCIDRs ?? []), "127.0.0.0/8", "::1/128"];
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split("/");
    const family = isIP(net ?? "");
    if (family) insecure.addSubnet(net ?? "", Number(bits), family === 6 ? "ipv6" : "ipv4");
  }
  const host = hostOnly(reg.address);
  const addresses = isIP(host) ? [host] : (reg.resolved ?? []);
  return addresses.some((a) => insecure.check(a, isIP(a) === 6 ? "ipv6" : "ipv4"));
}

function registry(facts: SwarmFacts, nodeCount: number): SwarmProblem[] {
  const reg = facts.registry;
  if (!reg) return [];
  if (isLoopbackHost(reg.address) && nodeCount > 1) {
    return [problem("LoopbackRegistry", "blocking", `the swarm has ${nodeCount} nodes but the registry they pull from is ${reg.address}: a loopback address, so every other node looks for it on itself.`, "start OpenRunner with `--registry-host <this machine's address the nodes reach>` (the built-in registry then listens there)")];
  }
  if (!reg.tls && !daemonTrustsPlainHttp(facts.info, reg)) {
    const unresolved = reg.unresolved ? ` (its name does not resolve on the manager: ${reg.unresolved})` : "";
    return [problem("RegistryNotTrusted", "blocking", `the registry ${reg.address} is plain HTTP and the Docker daemon does not list it in its insecure registries${unresolved}: nodes refuse to pull from it.`, `add "${reg.address}" to "insecure-registries" in /etc/docker/daemon.json on every node and restart Docker there (\`systemctl restart docker\`), or serve the registry over HTTPS with a certificate the nodes trust (its CA in /etc/docker/certs.d/${reg.address}/ca.crt on every node)`)];
  }
  return [];
}

function storage(info: EngineInfo): SwarmProblem[] {
  if (info.Driver !== "vfs") return [];
  return [problem("SlowStorageDriver", "warning", "the Docker daemon stores images with the vfs driver: every task copies its whole image, slowly.", 'set "storage-driver": "overlay2" in /etc/docker/daemon.json (on a file system that supports it) and restart Docker')];
}

/** Pure: everything that keeps the swarm from running OpenRunner's services, worst first. */
export function swarmProblems(facts: SwarmFacts): SwarmProblem[] {
  const base = [...engineVersion(facts), ...swarmState(facts)];
  if (base.length > 0) return base; // Without an active manager nothing else can be judged.
  const nodes = facts.nodes ?? [];
  const nodeCount = nodes.length || (facts.info.Swarm?.Nodes ?? 1);
  const all = [...overlay(facts), ...nodeHealth(nodes), ...registry(facts, nodeCount), ...storage(facts.info)];
  return [...all.filter((p) => p.severity === "blocking"), ...all.filter((p) => p.severity === "warning")];
}

/** Pure: one line about the swarm for `openrunner up`'s start-up output. */
export function describeSwarm(facts: SwarmFacts): string {
  const s = facts.info.Swarm ?? {};
  const nodes = facts.nodes ?? [];
  const ready = nodes.filter((n) => n.Status?.State === "ready").length;
  const count = nodes.length || s.Nodes || 0;
  const engine = `Docker ${facts.info.ServerVersion ?? "?"} (API ${facts.apiVersion})`;
  const host = [facts.info.Driver, facts.info.CgroupVersion ? `cgroup v${facts.info.CgroupVersion}` : undefined].filter(Boolean).join(", ");
  return `swarm of ${count} node${count === 1 ? "" : "s"} (${ready} ready, ${s.Managers ?? 0} manager${s.Managers === 1 ? "" : "s"}), manager ${s.NodeAddr ?? "?"}, ${engine}${host ? `, ${host}` : ""}`;
}

/** Pure: the problems as lines an operator reads, each followed by its fix. */
export function formatSwarmProblems(problems: readonly SwarmProblem[]): string {
  return problems.map((p) => `${p.severity === "blocking" ? "error" : "warning"}: ${p.message}\n  fix: ${p.fix}`).join("\n");
}

export interface CheckSwarmOptions {
  /** The driver's owner prefix: the probe network is `<owner>-preflight`. */
  owner: string;
  /** Where the nodes will pull images from; unchecked when absent (no built-in registry). */
  registry?: { address: string; tls: boolean };
  logger?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface SwarmCheck {
  facts: SwarmFacts;
  problems: SwarmProblem[];
}

/** Creates and removes an attachable overlay network: what the driver's start() will need. */
async function probeOverlay(api: EngineApi, owner: string, logger: CheckSwarmOptions["logger"]): Promise<SwarmFacts["overlay"]> {
  const name = `${owner}-preflight`;
  // A probe left by a control plane that died mid-check would make the create a conflict.
  const leftovers = await api.call<{ Id: string; Name: string }[]>({ path: "/networks", query: { filters: JSON.stringify({ name: [name] }) } });
  for (const n of leftovers.filter((l) => l.Name === name)) await api.call({ method: "DELETE", path: `/networks/${n.Id}` });
  let created: { Id: string };
  try {
    created = await api.call<{ Id: string }>({
      method: "POST",
      path: "/networks/create",
      body: { Name: name, Driver: "overlay", Attachable: true, CheckDuplicate: true, Labels: { [LABELS.owner]: owner } },
    });
  } catch (err) {
    if (!(err instanceof EngineApiError)) throw err;
    return { ok: false, message: err.daemonMessage };
  }
  try {
    await api.call({ method: "DELETE", path: `/networks/${created.Id}` });
  } catch (err) {
    // The swarm can make overlays; a probe left behind is removed by the next check.
    logger?.("swarm preflight: could not remove the probe network", { network: name, error: (err as Error).message });
  }
  return { ok: true };
}

async function resolveRegistry(reg: { address: string; tls: boolean }): Promise<RegistryReach> {
  const host = hostOnly(reg.address);
  if (isIP(host) || isLoopbackHost(reg.address)) return reg;
  try {
    const found = await lookup(host, { all: true });
    return { ...reg, resolved: found.map((a) => a.address) };
  } catch (err) {
    // Judged as Docker judges a name it cannot resolve: by its name only.
    return { ...reg, resolved: [], unresolved: (err as Error).message };
  }
}

/** Asks the manager what `swarmProblems` judges: /info, /nodes, an overlay probe, the registry's addresses. */
export async function checkSwarm(api: EngineApi, opts: CheckSwarmOptions): Promise<SwarmCheck> {
  const info = await api.call<EngineInfo>({ path: "/info" });
  const facts: SwarmFacts = { info, apiVersion: api.daemon.ApiVersion };
  const manager = info.Swarm?.LocalNodeState === "active" && info.Swarm.ControlAvailable === true;
  if (manager) {
    facts.nodes = await api.call<EngineNode[]>({ path: "/nodes" });
    facts.overlay = await probeOverlay(api, opts.owner, opts.logger);
  }
  if (opts.registry) facts.registry = await resolveRegistry(opts.registry);
  return { facts, problems: swarmProblems(facts) };
}
