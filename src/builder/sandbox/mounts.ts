/**
 * The build container's root filesystem: overlay(lower = the runtime's id-shifted view, upper and
 * work in the build's work directory), mounted under BUILD_RUN_DIR/<container id>. runc sets up
 * the root from inside the build's user namespace, so the mount point, /etc/hosts and
 * /etc/resolv.conf must be reachable by an unprivileged uid: the data directory is private
 * (0700), /run/openrunner-builds is 0711. The dependency caches stay in the data directory and
 * are bind-mounted into the rootfs by the host before runc starts (runc carries submounts along).
 */
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { execHost } from "../../executor/exec.js";
import { isMounted } from "../../executor/overlay.js";
import { BUILD_ID_BASE, mountRuntimeView } from "../../executor/userns.js";

export const BUILD_RUN_DIR = "/run/openrunner-builds";
const OWNER = `${BUILD_ID_BASE}:${BUILD_ID_BASE}`;

export interface BuildRootInput {
  containerId: string;
  /** The runtime's rootfs (owned by host root; shown shifted to the build). */
  runtimeRootfs: string;
  /** Holds `upper` (already containing the source in `upper/app`) and `work`. */
  workDir: string;
  /** Container path -> host directory, mounted read-write (owned by the build's root). */
  caches: Record<string, string>;
  hosts: string;
  resolv: string;
}

export interface BuildRoot {
  rootfs: string;
  hostsFile: string;
  resolvFile: string;
}

const runDirOf = (containerId: string): string => join(BUILD_RUN_DIR, containerId);

export async function mountBuildRoot(input: BuildRootInput): Promise<BuildRoot> {
  const runDir = runDirOf(input.containerId);
  await mkdir(runDir, { recursive: true });
  // Traversable, not listable: only who knows a build's id finds its files.
  await chmod(BUILD_RUN_DIR, 0o711);
  await chmod(runDir, 0o711);
  const hostsFile = join(runDir, "hosts");
  const resolvFile = join(runDir, "resolv.conf");
  await writeFile(hostsFile, input.hosts, { mode: 0o644 });
  await writeFile(resolvFile, input.resolv, { mode: 0o644 });
  const view = join(runDir, "runtime");
  await mountRuntimeView(input.runtimeRootfs, view);

  const upper = join(input.workDir, "upper");
  const work = join(input.workDir, "work");
  await mkdir(work, { recursive: true });
  // The upper's root is the build's "/": owned by its root, like the source it holds.
  await execHost("chown", ["-R", OWNER, upper]);
  const rootfs = join(runDir, "rootfs");
  await mkdir(rootfs, { recursive: true });
  for (const p of [upper, work]) {
    if (/[,:\s]/.test(p)) throw new AppRunnerError("BuildFailed", `overlay path "${p}" contains , : or whitespace`);
  }
  await execHost("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${view},upperdir=${upper},workdir=${work}`, rootfs]);

  for (const [dest, source] of Object.entries(input.caches)) {
    await mkdir(source, { recursive: true });
    // Caches written by builds before they ran in a user namespace are root's: hand them over once.
    if ((await stat(source)).uid !== BUILD_ID_BASE) await execHost("chown", ["-R", OWNER, source]);
    const target = join(rootfs, dest);
    const created = await mkdir(target, { recursive: true });
    if (created !== undefined) await execHost("chown", ["-R", OWNER, created]);
    await execHost("mount", ["--bind", source, target]);
  }
  return { rootfs, hostsFile, resolvFile };
}

/** Unmounts the rootfs (with the cache mounts) and the runtime view, and removes the run directory. Idempotent. */
export async function unmountBuildRoot(containerId: string): Promise<void> {
  const runDir = runDirOf(containerId);
  for (const [target, recursive] of [
    [join(runDir, "rootfs"), true],
    [join(runDir, "runtime"), false],
  ] as const) {
    if (!(await isMounted(target))) continue;
    const flags = recursive ? ["-R"] : [];
    try {
      await execHost("umount", [...flags, target]);
    } catch {
      // Busy (a dying process still holds it): detach now, the kernel frees it later.
      await execHost("umount", [...flags, "-l", target]);
    }
  }
  await rm(runDir, { recursive: true, force: true });
}

/** Ids of builds whose run directory is still there (crash cleanup). */
export async function leftoverBuildRoots(prefix: string): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8");
  const ids = new Set<string>();
  for (const line of text.split("\n")) {
    const mountPoint = line.split(" ")[4] ?? "";
    const m = new RegExp(`^${BUILD_RUN_DIR}/(${prefix}[^/]*)/`).exec(mountPoint);
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids];
}
