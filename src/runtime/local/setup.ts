import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { Store } from "../../store/store.js";
import type { Random } from "../../util/random.js";
import type { HostLayout } from "../../executor/types.js";
import type { WakeAhead } from "./instance-lifecycle.js";

/** Operator settings of the local runtime (`openrunner up` flags). */
export interface LocalRuntimeSettings {
  /** Second octet of the 127.X.0.0/16 block for instance addresses (fixed per data directory). */
  addressBlock?: number;
  /** Outbound connections from instances to the outside world; on by default, as on App Runner. */
  egress?: boolean;
  /** IPv4 CIDRs instances and builds may reach although private or link-local (`--egress-allow`). */
  egressAllow?: string[];
  /** Each instance's ephemeral storage in bytes (App Runner's 3 GB by default). */
  ephemeralStorageBytes?: number;
  stopGraceMs?: number;
  /**
   * How far a service at zero makes its next instance ahead of its wake (`--wake-ahead`):
   * "prepared" (default: no process, nothing charged) or "created" (up to `runc create`: runc's
   * waiting init, 1.5-2.7 MB a service, for a few milliseconds less; docs/scale-to-zero.md).
   */
  wakeAhead?: WakeAhead;
  startupBudgetMs?: number;
  superviseMs?: number;
  /** How often image tags of services with automatic deployment are resolved; 0 = only on registry notifications. */
  imagePollMs?: number;
  /** The HAProxy data plane in front of the instances; absent: instances are reached at their own addresses. */
  router?: RouterSettings;
  /** Autoscaler tuning for tests (decide()'s defaults otherwise). */
  autoscaleIntervalMs?: number;
  autoscaleWindows?: { stableWindowSeconds?: number; scaleDownDelayMs?: number };
  /** Tests only: the shortest idle period the `openrunner:scale-to-zero` tag accepts (30 s otherwise). */
  scaleToZeroMinIdleMs?: number;
  /** Tests only: the shortest step interval and window the `openrunner:gradual-rollout` tag accepts (10 s otherwise). */
  rolloutMinIntervalMs?: number;
  /** How often instance CPU and memory are sampled (10 s by default). */
  usageSampleMs?: number;
  /** How often each service's requests in flight are sampled for Concurrency (1 s by default). */
  concurrencySampleMs?: number;
  /** How often branches of code services with automatic deployment are checked; 0 = only on webhooks. */
  codePollMs?: number;
  /** Where managed runtime root filesystems are cached (`<data-dir>/runtimes`); tests share one. */
  runtimesDir?: string;
  /**
   * Run instances on a Docker Swarm instead of runc on this host (`--runtime swarm`): builds,
   * the image store and the data plane stay on this host, tasks run on the swarm's nodes.
   */
  swarm?: SwarmSettings;
}

export interface SwarmSettings {
  /** The swarm manager's Engine API: a unix socket path or `tcp://host:port` (`--docker-host`). */
  dockerHost: string;
}

export interface RouterSettings {
  /** HTTP port on 127.0.0.1 (8080 by default). */
  httpPort: number;
  /** HTTPS port (8443 by default); 0 turns HTTPS off (and HTTP stops redirecting). */
  httpsPort: number;
  /** Request timeout (App Runner: 120 s); longer is allowed here. */
  requestTimeoutMs?: number;
}

const TOOLS: { command: string; pkg: string }[] = [
  { command: "runc", pkg: "runc" },
  { command: "ip", pkg: "iproute2" },
  { command: "nft", pkg: "nftables" },
  { command: "umoci", pkg: "umoci" },
  { command: "mount", pkg: "mount" },
  // Each instance's ephemeral storage is an ext4 image of its own.
  { command: "mkfs.ext4", pkg: "e2fsprogs" },
];

/** What this host lacks to run instances, in words an operator can act on; empty when ready. */
export function missingHostTools(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root privileges (containers, network namespaces and cgroups need root)");
  for (const t of TOOLS) {
    try {
      execFileSync("sh", ["-c", `command -v ${t.command}`], { stdio: "ignore" });
    } catch {
      missing.push(`${t.command} (Debian package ${t.pkg})`);
    }
  }
  try {
    accessSync("/bin/busybox", constants.X_OK);
  } catch {
    missing.push("/bin/busybox (Debian package busybox-static; it records each instance's exit code)");
  }
  return missing;
}

/** Names and addresses of this data directory's instances; chosen once, kept in the store. */
export function hostLayout(store: Store, dataDir: string, random: Random, settings: LocalRuntimeSettings): HostLayout {
  const prefix = store.meta.getOrInit("runtime_prefix", () => `or${random.bytes(2).toString("hex")}`);
  const block = Number(store.meta.getOrInit("runtime_address_block", () => String(settings.addressBlock ?? 202)));
  return {
    prefix,
    addressBlock: block,
    instancesDir: join(dataDir, "runtime", "instances"),
    egress: settings.egress ?? true,
    egressAllow: settings.egressAllow ?? [],
    ephemeralStorageBytes: settings.ephemeralStorageBytes,
  };
}

/** How the console links a service's default domain: through the data plane's ports. */
export function serviceUrlTemplate(settings: LocalRuntimeSettings | undefined): string | undefined {
  const r = settings?.router;
  if (!r) return undefined;
  return r.httpsPort > 0 ? `https://{host}:${r.httpsPort}` : `http://{host}:${r.httpPort}`;
}
