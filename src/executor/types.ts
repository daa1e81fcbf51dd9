/**
 * The OCI executor's contracts: what its users (the local driver's instances, the build
 * sandbox's builds) hand the host primitives it composes: network namespaces + veths +
 * nftables, overlay mounts, OCI bundles and runc.
 * Every name a primitive creates on the host starts with the host prefix, so a process (or a
 * test) removes only what it made.
 */

/** Fixed per data directory: names and addresses of everything this OpenRunner creates. */
export interface HostLayout {
  /** 2-6 lowercase alphanumerics, unique per data directory, e.g. "or3f2a". Prefix of netns, veth, runc ids, cgroups, nft table. */
  prefix: string;
  /** Second octet of the 127.X.0.0/16 block instance subnets come from (default 202). */
  addressBlock: number;
  /** Where instance directories live: `<data-dir>/runtime/instances`. */
  instancesDir: string;
  /** Outbound traffic from instances to the outside world (NAT). Off: only replies to inbound connections. */
  egress: boolean;
  /**
   * IPv4 CIDRs instances and builds may reach although they are private, link-local or the host's
   * networks (the operator's `--egress-allow`). The host's own addresses stay out of reach.
   */
  egressAllow?: readonly string[];
  /** Each instance's ephemeral storage (its writable file system), in bytes (default 3 GiB). */
  ephemeralStorageBytes?: number;
}

/** One instance's network: a /30 inside 127.<block>.0.0/16 chosen by slot (1..16383). */
export interface InstanceNetwork {
  slot: number;
  /** Network namespace name (also /var/run/netns/<name>). */
  netns: string;
  /** Host end of the veth (<= 15 chars). */
  hostInterface: string;
  /** 127.<block>.a.b+1: the host side. */
  hostAddress: string;
  /** 127.<block>.a.b+2: where the instance listens; what health checks and the router use. */
  instanceAddress: string;
  /** 100.64.0.0/10 + (block << 14) + slot: the source of the instance's outbound traffic (egress.ts). */
  egressAddress: string;
}

/** Limits from InstanceConfiguration. */
export interface ResourceLimits {
  /** CPU in millicores: "1 vCPU" = 1000 (cpu quota = millicores * 100 per 100 ms period). */
  cpuMillicores: number;
  memoryBytes: number;
  pidsLimit: number;
  /** Size of the instance's writable file system; writes past it fail with ENOSPC (default 3 GiB). */
  ephemeralStorageBytes?: number;
}

/** Everything needed to create one container. */
export interface ContainerSpec {
  /** runc container id: `<prefix>-<instanceId>`. */
  containerId: string;
  /** The instance directory: bundle, overlay upper/work, stdout log, exit file live here. */
  dir: string;
  /** Read-only unpacked image root (lower layer). */
  imageRootfs: string;
  /** argv to run (entrypoint+cmd, or StartCommand through /bin/sh -c). */
  args: string[];
  /** `NAME=value`. */
  env: string[];
  cwd: string;
  /** uid/gid resolved from the image's user (numeric). */
  uid: number;
  gid: number;
  network: InstanceNetwork;
  limits: ResourceLimits;
  /** cgroup path relative to each hierarchy root: `/<prefix>/<instanceId>`. */
  cgroupsPath: string;
}

export type ContainerState =
  | { status: "running"; pid: number }
  | { status: "stopped"; exitCode: number | null; oomKilled: boolean }
  | { status: "missing" };

export interface ContainerUsage {
  /** Cumulative CPU time in nanoseconds. */
  cpuNanos: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

/** What the container functions need to find an existing container (a ContainerSpec is one). */
export type ContainerRef = Pick<ContainerSpec, "containerId" | "dir" | "cgroupsPath">;
