/**
 * The OCI runtime config of a build container: the runtime's root filesystem under an overlay,
 * its own network namespace (build-network.ts: outbound internet only), user namespace
 * (root inside is BUILD_ID_BASE on the host, userns.ts), pid/ipc/uts/mount namespaces, Docker's
 * default capabilities less NET_RAW (they count inside the namespaces only), cgroup CPU, memory
 * and pids limits. The dependency caches are bind-mounted into the rootfs by the host before
 * runc starts (their host paths are not reachable from the user namespace).
 */

import { MASKED_PATHS, READONLY_PATHS } from "../../executor/bundle.js";
import { buildIdMappings } from "../../executor/userns.js";

export interface BuildLimits {
  /** CPU in millicores: 1000 = one core (quota = millicores * 100 per 100 ms). */
  cpuMillicores: number;
  /** Memory limit in bytes (no swap on top). */
  memoryBytes: number;
  /** Processes and threads (default 4096). */
  pidsLimit?: number;
}

export interface BuildSpecInput {
  /** The mounted overlay, at a path the user namespace's root can reach. */
  rootfs: string;
  /** Files mounted read-only at /etc/hosts and /etc/resolv.conf, reachable from the user namespace. */
  hostsFile: string;
  resolvFile: string;
  env: string[];
  limits: BuildLimits;
  /** cgroup path relative to each hierarchy root. */
  cgroupsPath: string;
  /** The host's CA bundle, mounted read-only over the runtime's (a TLS-inspecting proxy's CA lives there). */
  caBundle?: string;
  nofileLimit: number;
  /** The init process: keeps the container alive while each command runs through `runc exec`. */
  args: string[];
}

export const BUILD_CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  "CAP_NET_BIND_SERVICE",
];

export const DEFAULT_BUILD_PIDS = 4096;

/** Debian's CA bundle path, inside the container and (by default) on the host. */
export const CA_BUNDLE_PATH = "/etc/ssl/certs/ca-certificates.crt";

export function makeBuildSpec(input: BuildSpecInput): Record<string, unknown> {
  const bind = (source: string, destination: string, mode: "ro" | "rw"): Record<string, unknown> => ({
    destination,
    type: "bind",
    source,
    options: ["rbind", mode, "nosuid", "nodev"],
  });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: input.args,
      env: input.env,
      cwd: "/app",
      capabilities: { bounding: BUILD_CAPS, effective: BUILD_CAPS, permitted: BUILD_CAPS },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: input.nofileLimit, soft: input.nofileLimit }],
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: "build",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      bind(input.resolvFile, "/etc/resolv.conf", "ro"),
      bind(input.hostsFile, "/etc/hosts", "ro"),
      ...(input.caBundle ? [bind(input.caBundle, CA_BUNDLE_PATH, "ro")] : []),
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: input.limits.memoryBytes, swap: input.limits.memoryBytes },
        cpu: { quota: input.limits.cpuMillicores * 100, period: 100000 },
        pids: { limit: input.limits.pidsLimit ?? DEFAULT_BUILD_PIDS },
      },
      cgroupsPath: input.cgroupsPath,
      uidMappings: buildIdMappings(),
      gidMappings: buildIdMappings(),
      namespaces: [
        { type: "user" },
        { type: "pid" },
        // Made here, inside the user namespace; the host wires it up before `runc start`.
        { type: "network" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}
