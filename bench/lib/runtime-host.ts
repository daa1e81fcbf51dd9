/**
 * What the local runtime leaves on this host, read from the outside (another process): its
 * instance records in the data directory, the memory cgroups of its instances, processes.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { networkForSlot } from "../../src/executor/network.js";

export interface HostInstance {
  instanceId: string;
  deploymentId: string;
  serviceId: string;
  containerId: string;
  /** The runc container id's prefix (before the first "-"): the host layout's prefix. */
  prefix: string;
  address: string;
}

interface RecordFile {
  instanceId?: string;
  deploymentId?: string;
  serviceId?: string;
  slot?: number;
  containerId?: string;
  phase?: string;
}

/** Instances whose record says "created", from `<data-dir>/runtime/instances/<id>/instance.json`. */
export function hostInstances(dataDir: string, addressBlock: number): HostInstance[] {
  const dir = join(dataDir, "runtime", "instances");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: HostInstance[] = [];
  for (const name of names) {
    let r: RecordFile;
    try {
      r = JSON.parse(readFileSync(join(dir, name, "instance.json"), "utf8")) as RecordFile;
    } catch {
      continue; // Being written or removed right now.
    }
    if (r.phase !== "created" || !r.instanceId || !r.serviceId || !r.containerId || r.slot === undefined) continue;
    const prefix = r.containerId.split("-")[0] ?? "";
    const net = networkForSlot({ prefix, addressBlock, instancesDir: dir, egress: false }, r.slot);
    out.push({
      instanceId: r.instanceId,
      deploymentId: r.deploymentId ?? "",
      serviceId: r.serviceId,
      containerId: r.containerId,
      prefix,
      address: net.instanceAddress,
    });
  }
  return out;
}

/** Number of instance record directories (created or not): 0 once every instance is gone. */
export function recordCount(dataDir: string): number {
  return recordNames(dataDir).length;
}

/**
 * The instance records under `<data-dir>/runtime/instances` (a leftover's name says which
 * instance it was); dot-entries such as `.disks` (the ephemeral disk images) are not records.
 */
export function recordNames(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, "runtime", "instances")).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
}

export interface CgroupMemory {
  cgroups: number;
  /** Sum of memory.usage_in_bytes (cgroup v1: includes page cache and charged kernel memory). */
  usageMiB: number;
  /** Sum of total_rss from memory.stat: the apps' anonymous memory. */
  rssMiB: number;
  /** Sum of total_cache from memory.stat: page cache charged to the instances. */
  cacheMiB: number;
  /** Processes in the instance cgroups (the apps). */
  processes: number;
  /** Those processes by command name. */
  processNames: Record<string, number>;
  /** Parents (pid and name) of app processes whose parent is outside every instance cgroup. */
  outsideParents: Record<string, number>;
}

/** The instances' own memory: every `/sys/fs/cgroup/memory/<prefix>/<instance>` cgroup. */
export function instanceCgroupMemory(prefix: string): CgroupMemory {
  const root = `/sys/fs/cgroup/memory/${prefix}`;
  const out: CgroupMemory = { cgroups: 0, usageMiB: 0, rssMiB: 0, cacheMiB: 0, processes: 0, processNames: {}, outsideParents: {} };
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const usage = Number(readFileSync(join(root, name, "memory.usage_in_bytes"), "utf8"));
      const stat = readFileSync(join(root, name, "memory.stat"), "utf8");
      const field = (key: string): number => Number(new RegExp(`^${key} (\\d+)$`, "m").exec(stat)?.[1] ?? 0);
      const pids = readFileSync(join(root, name, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
      for (const pid of pids) {
        const comm = commOf(pid);
        out.processNames[comm] = (out.processNames[comm] ?? 0) + 1;
      }
      const procs = pids.length;
      for (const pid of pids) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? "";
          if (!pids.includes(ppid)) {
            const key = `${ppid} ${commOf(ppid)}`;
            out.outsideParents[key] = (out.outsideParents[key] ?? 0) + 1;
          }
        } catch {
          // Exited.
        }
      }
      out.cgroups++;
      out.usageMiB += usage / 1024 / 1024;
      out.rssMiB += field("total_rss") / 1024 / 1024;
      out.cacheMiB += field("total_cache") / 1024 / 1024;
      out.processes += procs;
    } catch {
      // Removed while reading.
    }
  }
  return out;
}

function commOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "(gone)";
  }
}

export interface ProcessCensus {
  /** Every process on the host. */
  total: number;
  /** Every process on the host by command name (diff two censuses to see what was added). */
  byName: Record<string, number>;
  /** Direct children of the given PID (e.g. runc, ip, shims it left behind). */
  childrenOf: string[];
  /** Processes named runc or containerd-shim* anywhere on the host. */
  runtimeHelpers: string[];
}

/** One pass over /proc: how many processes, and which look like per-instance helpers. */
export function processCensus(parentPid: number): ProcessCensus {
  const census: ProcessCensus = { total: 0, byName: {}, childrenOf: [], runtimeHelpers: [] };
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    census.total++;
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    census.byName[comm] = (census.byName[comm] ?? 0) + 1;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parentPid) census.childrenOf.push(`${entry} ${comm}`);
    if (comm === "runc" || comm.startsWith("containerd-shim") || comm === "conmon") census.runtimeHelpers.push(`${entry} ${comm}`);
  }
  return census;
}

/** MemAvailable of the whole machine, MiB. */
export function memAvailableMiB(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return Number(m?.[1] ?? Number.NaN) / 1024;
}

/** runc containers whose id starts with `<prefix>-`. */
export function runcContainers(prefix: string): string[] {
  const text = execFileSync("runc", ["list", "-q"], { encoding: "utf8" });
  return text.split("\n").filter((id) => id.startsWith(`${prefix}-`));
}

/** Network namespaces and links with this prefix (what an instance leaves if not removed). */
export function networkLeftovers(prefix: string): string[] {
  const left: string[] = [];
  for (const line of execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n")) {
    if (line.startsWith(`${prefix}-`)) left.push(`netns ${line.split(" ")[0]}`);
  }
  for (const line of execFileSync("ip", ["-o", "link"], { encoding: "utf8" }).split("\n")) {
    const name = line.split(":")[1]?.trim().split("@")[0];
    if (name?.startsWith(`${prefix}h`)) left.push(`link ${name}`);
  }
  return left;
}
