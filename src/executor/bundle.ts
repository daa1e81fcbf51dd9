/**
 * The OCI runtime config (config.json) of one instance, as a pure function of its ContainerSpec.
 * Defaults (capabilities, masked paths, mounts) follow `runc spec`; on top: the instance's
 * network namespace, cgroup limits, hosts/resolv.conf, and the exit recorder as PID 1.
 */
import type { ContainerSpec } from "./types.js";

/** Where the recorder's static busybox and the state dir appear inside every container. */
export const IN_CONTAINER_DIR = "/.openrunner";
export const IN_CONTAINER_BUSYBOX = `${IN_CONTAINER_DIR}/busybox`;
export const IN_CONTAINER_STATE = `${IN_CONTAINER_DIR}/state`;
export const EXIT_FILE = "exit";
/** Written by the exit recorder once it forwards TERM to the app. */
export const TRAP_SET_FILE = "trap-set";

/**
 * PID 1 of every container: runc run -d detaches and does not keep the app's exit status, so a
 * tiny shell runs the app as its child, forwards TERM/INT to it, and writes the status to the
 * state dir. `wait` returns >128 when a trapped signal interrupts it while the child still
 * runs, hence the loop. (A non-interactive shell starts background jobs with SIGINT ignored, so
 * INT only reaches apps that install their own handler; TERM always reaches them.)
 */
export const EXIT_RECORDER_SCRIPT = [
  // A TERM between the trap and `child=$!` has no child to go to yet: it is noted and sent on.
  "trap 'term=1; kill -TERM $child 2>/dev/null' TERM",
  "trap 'kill -INT $child 2>/dev/null' INT",
  // Until here PID 1 has no handler, and the kernel drops TERM sent to a namespace's init without
  // one: the host sends TERM again once this file says the trap is set (container.ts).
  `: > ${IN_CONTAINER_STATE}/${TRAP_SET_FILE}`,
  '"$@" &',
  "child=$!",
  '[ -n "$term" ] && kill -TERM "$child" 2>/dev/null',
  "while :; do",
  '  wait "$child"; status=$?',
  '  if [ "$status" -gt 128 ] && kill -0 "$child" 2>/dev/null; then continue; fi',
  "  break",
  "done",
  `echo "$status" > ${IN_CONTAINER_STATE}/${EXIT_FILE}`,
  'exit "$status"',
].join("\n");

export interface BundleOptions {
  /** Host path of a statically linked busybox (default /bin/busybox). */
  busybox?: string;
  /** Container hostname (default: the instance id part of the container id, at most 12 chars). */
  hostname?: string;
  /**
   * RLIMIT_NOFILE (default 65536). Without CAP_SYS_RESOURCE runc cannot raise it above the
   * caller's own hard limit, so container.ts passes min(65536, that limit).
   */
  nofileLimit?: number;
}

export const DEFAULT_NOFILE = 65536;

/** What `runc spec` hides from a container (kernel details) and keeps read-only; builds use the same. */
export const MASKED_PATHS = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
] as const;
export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"] as const;

/**
 * Instance-dir paths of the files the bundle bind-mounts (written by container.ts). They live on
 * the instance's own disk (overlay.ts), so its mountinfo names them by their place on that disk
 * (`/state` on `/dev/loopN`), never by a host path.
 */
export function bundlePaths(dir: string): { rootfs: string; state: string; hosts: string; resolv: string; config: string } {
  return {
    rootfs: `${dir}/rootfs`,
    state: `${dir}/disk/state`,
    hosts: `${dir}/disk/hosts`,
    resolv: `${dir}/disk/resolv.conf`,
    config: `${dir}/config.json`,
  };
}

/** The container id after `<prefix>-`, shortened like Docker's short ids. */
export function defaultHostname(containerId: string): string {
  const dash = containerId.indexOf("-");
  return containerId.slice(dash + 1).slice(0, 12) || "localhost";
}

/** /etc/hosts of an instance: localhost plus its own name on its own address. */
export function hostsFile(hostname: string, address: string): string {
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${address}\t${hostname}\n`;
}

const DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

export function makeBundleSpec(spec: ContainerSpec, opts: BundleOptions = {}): Record<string, unknown> {
  const paths = bundlePaths(spec.dir);
  const ro = (source: string, destination: string): Record<string, unknown> => ({
    destination,
    type: "bind",
    source,
    options: ["rbind", "ro", "nosuid", "nodev"],
  });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: spec.uid, gid: spec.gid },
      args: [IN_CONTAINER_BUSYBOX, "sh", "-c", EXIT_RECORDER_SCRIPT, "--", ...spec.args],
      env: spec.env,
      cwd: spec.cwd,
      capabilities: {
        bounding: DEFAULT_CAPS,
        effective: DEFAULT_CAPS,
        permitted: DEFAULT_CAPS,
        ambient: DEFAULT_CAPS,
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: opts.nofileLimit ?? DEFAULT_NOFILE, soft: opts.nofileLimit ?? DEFAULT_NOFILE }],
      noNewPrivileges: true,
    },
    root: { path: paths.rootfs, readonly: false },
    hostname: opts.hostname ?? defaultHostname(spec.containerId),
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      {
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
      },
      ro(paths.resolv, "/etc/resolv.conf"),
      ro(paths.hosts, "/etc/hosts"),
      ro(opts.busybox ?? "/bin/busybox", IN_CONTAINER_BUSYBOX),
      { destination: IN_CONTAINER_STATE, type: "bind", source: paths.state, options: ["rbind", "rw", "nosuid", "nodev"] },
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        // swap = limit: memory+swap may not exceed the memory limit, i.e. no swap.
        memory: { limit: spec.limits.memoryBytes, swap: spec.limits.memoryBytes },
        cpu: { quota: spec.limits.cpuMillicores * 100, period: 100000 },
        pids: { limit: spec.limits.pidsLimit },
      },
      cgroupsPath: spec.cgroupsPath,
      namespaces: [
        { type: "pid" },
        { type: "network", path: `/var/run/netns/${spec.network.netns}` },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}
