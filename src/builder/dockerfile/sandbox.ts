/**
 * The sandbox a Dockerfile build runs in, the same one managed-runtime builds get, for buildah
 * as a whole rather than for each command:
 *
 * - a holder process (`unshare --user --mount --net`, then a shell reading a pipe from this
 *   process, so it ends with the control plane) owns a user namespace whose
 *   root is BUILD_ID_BASE on the host (executor/userns.ts), and a mount and a network namespace
 *   owned by it. buildah runs as that root (`nsenter --user --mount`): it unpacks base images,
 *   runs COPY and commits layers as nobody on the host, and its RUN steps (runc containers made
 *   inside the user namespace) join the holder's network namespace. Owning that namespace is what
 *   lets runc mount /sys there.
 * - the network namespace is one of the layout's build slots (sandbox/build-network.ts): outbound
 *   internet only, never the host's loopback services, the control plane, the registry or other
 *   namespaces. buildah itself stays in the host's network namespace, so base images come from
 *   any registry the host reaches, loopback ones included.
 * - the data directory is private (0700) to host root: the paths buildah needs (the service's
 *   layer cache, this build's scratch directory, the source read-only) are bind-mounted into
 *   the holder's mount namespace under MOUNT_BASE, on a tmpfs only that namespace sees; every
 *   mount buildah makes lives and dies there too.
 * - a cgroup `/openrunner-builds/<id>` with the service's CPU, memory and pids limits holds
 *   buildah and everything it starts (runc finds no cgroup it may write inside the user
 *   namespace, so RUN steps stay in it); abort kills every process in it by PID.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parseResolvConf } from "../../executor/egress.js";
import { execHost } from "../../executor/exec.js";
import { readHostResolvConf } from "../../executor/host-facts.js";
import type { HostLayout } from "../../executor/types.js";
import { BUILD_ID_BASE, BUILD_ID_COUNT } from "../../executor/userns.js";
import { HOST_PATH } from "../runtimes/tool.js";
import { allocateBuildNetwork, type BuildNetwork } from "../sandbox/build-network.js";
import { oomKills } from "../sandbox/run-build.js";
import type { BuildLimits } from "../sandbox/spec.js";
import { DEFAULT_BUILD_PIDS } from "../sandbox/spec.js";
import { BUILD_CGROUP_PARENT, CGROUP_ROOT, removeCgroups } from "../sandbox/teardown.js";
import { EveryStep } from "../../util/every-step.js";

/** Where the build's directories appear inside the holder's mount namespace (an empty directory on the host). */
export const MOUNT_BASE = "/run/openrunner-build";

export interface SandboxMounts {
  /** Host directory at `${MOUNT_BASE}/cache`, writable (the service's layer cache). */
  cache: string;
  /** Host directory at `${MOUNT_BASE}/work`, writable (this build's scratch). */
  work: string;
  /** Host directory at `${MOUNT_BASE}/context`, read-only (the source). */
  context: string;
}

export interface OpenSandboxInput {
  /** Names the cgroup (`/openrunner-builds/<id>`). */
  id: string;
  layout: HostLayout;
  limits: BuildLimits;
  mounts: SandboxMounts;
}

export interface DockerfileSandbox {
  /** The network namespace RUN steps join. */
  netns: string;
  /** Name servers reachable from it. */
  dns: string[];
  /** Runs `argv` as root of the build's user namespace, in its mount namespace and cgroup. */
  spawnArgs(argv: readonly string[]): { command: string; args: string[]; env: Record<string, string> };
  /** Kills every process of the build (by PID, from its cgroup), the holder last. */
  killAll(): Promise<void>;
  /** Processes the memory limit killed so far. */
  oomKills(): Promise<number>;
  /** Kills what is left, removes the network and the cgroup (idempotent; collects every failure). */
  close(): Promise<void>;
}

const CGROUP_CONTROLLERS = ["memory", "cpu", "pids"] as const;

export async function openSandbox(input: OpenSandboxInput): Promise<DockerfileSandbox> {
  const cgroupsPath = `${BUILD_CGROUP_PARENT}/${input.id}`;
  // The holder waits on a pipe from this process: if the control plane dies, so does the holder.
  const holder = spawn("unshare", ["--user", "--mount", "--net", "--", "/bin/sh", "-c", "read _"], {
    stdio: ["pipe", "ignore", "ignore"],
    env: { PATH: HOST_PATH },
  });
  const holderExit = new Promise<void>((resolveExit) => holder.once("exit", () => resolveExit()));
  let net: BuildNetwork | undefined;
  let closed = false;
  const procsFiles = CGROUP_CONTROLLERS.map((c) => `${CGROUP_ROOT}/${c}${cgroupsPath}/cgroup.procs`);
  const pidsInCgroup = async (): Promise<number[]> => {
    const seen = new Set<number>();
    for (const file of procsFiles) {
      try {
        for (const l of (await readFile(file, "utf8")).split("\n")) if (l.trim() !== "") seen.add(Number(l));
      } catch (err) {
        // Not made (yet) or already removed: no processes there.
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return [...seen];
  };
  const killAll = async (): Promise<void> => {
    // RUN steps fork; a pass can miss a child born meanwhile, so repeat until the cgroup is empty.
    for (let i = 0; i < 100; i++) {
      const pids = await pidsInCgroup();
      if (pids.length === 0) break;
      for (const pid of pids) killPid(pid);
      await sleep(20);
    }
    if (holder.exitCode === null && holder.signalCode === null) {
      holder.kill("SIGKILL");
      await holderExit;
    }
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    const steps = new EveryStep();
    await steps.attempt("kill", killAll);
    if (net) await steps.attempt("network", net.release);
    await steps.attempt("cgroups", () => removeCgroups(cgroupsPath));
    closed = true;
    const failures = steps.failures();
    if (failures !== undefined) throw new AppRunnerError("BuildFailed", `Cleaning up the Dockerfile build sandbox ${input.id} failed: ${failures}`);
  };
  try {
    if (holder.pid === undefined) throw new AppRunnerError("BuildFailed", "unshare could not be started for the build sandbox.");
    const pid = holder.pid;
    await waitForNamespaces(pid, holderExit);
    const map = `0 ${BUILD_ID_BASE} ${BUILD_ID_COUNT}\n`;
    await writeFile(`/proc/${pid}/uid_map`, map);
    await writeFile(`/proc/${pid}/gid_map`, map);
    await makeCgroup(cgroupsPath, input.limits);
    await mkdir(MOUNT_BASE, { recursive: true, mode: 0o755 });
    await execHost("nsenter", ["--target", String(pid), "--mount", "--", "/bin/sh", "-c", mountScript(input.mounts)]);
    net = await allocateBuildNetwork(input.layout, await readHostResolvConf());
    await net.attach(pid);
    const dns = parseResolvConf(net.resolv).nameservers;
    return {
      netns: `/proc/${pid}/ns/net`,
      dns,
      spawnArgs: (argv) => ({
        command: "/bin/sh",
        // Joins the cgroup before exec, so nothing of buildah runs outside the limits.
        args: ["-c", 'for f in $ORB_CGROUP_PROCS; do echo $$ > "$f" || exit 126; done; exec "$@"', "sh",
          "nsenter", "--target", String(pid), "--user", "--mount", "-S", "0", "-G", "0", "--", ...argv],
        env: { ORB_CGROUP_PROCS: procsFiles.join(" ") },
      }),
      killAll,
      oomKills: () => oomKills(cgroupsPath),
      close,
    };
  } catch (err) {
    await close().catch((cleanupErr: unknown) => {
      throw new AppRunnerError("BuildFailed", `${(err as Error).message}; and cleaning up failed: ${(cleanupErr as Error).message}`, { cause: err });
    });
    throw err;
  }
}

/** The bind mounts of the holder's mount namespace (run there by host root). */
export function mountScript(m: SandboxMounts): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const b = MOUNT_BASE;
  return [
    "set -e",
    `mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev tmpfs ${b}`,
    `mkdir ${b}/cache ${b}/work ${b}/context`,
    `mount --bind ${q(m.cache)} ${b}/cache`,
    `mount --bind ${q(m.work)} ${b}/work`,
    `mount --bind ${q(m.context)} ${b}/context`,
    `mount -o remount,bind,ro ${b}/context`,
  ].join("\n");
}

function killPid(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (err) {
    // Exited between reading the cgroup and the kill.
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Waits (bounded) until `unshare` has made its namespaces, i.e. its user namespace is not ours. */
async function waitForNamespaces(pid: number, exited: Promise<void>): Promise<void> {
  const ours = await readlink("/proc/self/ns/user");
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 500 && !gone; i++) {
    try {
      const [user, netns] = await Promise.all([readlink(`/proc/${pid}/ns/user`), readlink(`/proc/${pid}/ns/net`)]);
      const hostNet = await readlink("/proc/self/ns/net");
      if (user !== ours && netns !== hostNet) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    await sleep(2);
  }
  throw new AppRunnerError("BuildFailed", gone ? "unshare exited before the build sandbox was ready." : "The build sandbox's namespaces did not appear in time.");
}

/** cgroup v1 directories with the service's limits (no swap beyond the memory limit where the kernel counts it). */
async function makeCgroup(cgroupsPath: string, limits: BuildLimits): Promise<void> {
  const dir = (c: string): string => `${CGROUP_ROOT}/${c}${cgroupsPath}`;
  for (const c of CGROUP_CONTROLLERS) await mkdir(dir(c), { recursive: true });
  await writeFile(`${dir("memory")}/memory.limit_in_bytes`, String(limits.memoryBytes));
  try {
    await writeFile(`${dir("memory")}/memory.memsw.limit_in_bytes`, String(limits.memoryBytes));
  } catch (err) {
    // Kernels without swap accounting have no memsw files: there is no swap to bound.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await writeFile(`${dir("cpu")}/cpu.cfs_period_us`, "100000");
  await writeFile(`${dir("cpu")}/cpu.cfs_quota_us`, String(limits.cpuMillicores * 100));
  await writeFile(`${dir("pids")}/pids.max`, String(limits.pidsLimit ?? DEFAULT_BUILD_PIDS));
}
