/**
 * The OCI runtime config of a build container: the runtime's root filesystem under an overlay,
 * the HOST network namespace (package installs need the network; resolv.conf and hosts come
 * from the host, read-only), its own pid/ipc/uts/mount namespaces, Docker's default
 * capabilities less NET_RAW and NET_BIND_SERVICE (the build shares the host's network), cgroup
 * CPU, memory and pids limits, and the service's dependency caches bind-mounted read-write.
 */

import { MASKED_PATHS, READONLY_PATHS } from "../../runtime/local/bundle.js";

export interface BuildLimits {
  /** CPU in millicores: 1000 = one core (quota = millicores * 100 per 100 ms). */
  cpuMillicores: number;
  /** Memory limit in bytes (no swap on top). */
  memoryBytes: number;
  /** Processes and threads (default 4096). */
  pidsLimit?: number;
}

export interface BuildSpecInput {
  /** The mounted overlay. */
  rootfs: string;
  env: string[];
  limits: BuildLimits;
  /** cgroup path relative to each hierarchy root. */
  cgroupsPath: string;
  /** The host's CA bundle, mounted read-only over the runtime's (a TLS-inspecting proxy's CA lives there). */
  caBundle?: string;
  /** Host directories mounted read-write: container path -> host path. */
  caches: Record<string, string>;
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
      bind("/etc/resolv.conf", "/etc/resolv.conf", "ro"),
      bind("/etc/hosts", "/etc/hosts", "ro"),
      ...(input.caBundle ? [bind(input.caBundle, CA_BUNDLE_PATH, "ro")] : []),
      ...Object.entries(input.caches).map(([destination, source]) => bind(source, destination, "rw")),
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: input.limits.memoryBytes, swap: input.limits.memoryBytes },
        cpu: { quota: input.limits.cpuMillicores * 100, period: 100000 },
        pids: { limit: input.limits.pidsLimit ?? DEFAULT_BUILD_PIDS },
      },
      cgroupsPath: input.cgroupsPath,
      // No network namespace: the build uses the host's network.
      namespaces: [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}
