/**
 * Removing a build container and everything it held on the host: the runc container, its
 * mounts, its network namespace and its cgroups; also what a crashed process left behind.
 */
import { readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import * as runc from "../../executor/runc.js";
import { leftoverBuildRoots, unmountBuildRoot } from "./mounts.js";
import { EveryStep } from "../../util/every-step.js";

export const BUILD_CGROUP_PARENT = "/openrunner-builds";
export const CGROUP_ROOT = "/sys/fs/cgroup";

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

export interface BuildTeardown {
  containerId: string;
  cgroupsPath: string;
  workDir: string;
  /** Keep `upper` (the build succeeded and its layer is wanted); otherwise workDir is emptied. */
  keepUpper: boolean;
  /** Removes the build's network namespace. */
  releaseNetwork?: () => Promise<void>;
}

/** Deletes the container, unmounts its root, removes its network and cgroups; empties workDir on failure. */
export async function teardown(b: BuildTeardown): Promise<void> {
  const steps = new EveryStep();
  await steps.attempt("runc delete", () => runc.deleteForce(b.containerId));
  await steps.attempt("umount", () => unmountBuildRoot(b.containerId));
  if (b.releaseNetwork) await steps.attempt("network", b.releaseNetwork);
  await steps.attempt("cgroups", () => removeCgroups(b.cgroupsPath));
  const names = ["work", "config.json", "init.log", "runc.log", ...(b.keepUpper ? [] : ["upper"])];
  for (const name of names) await steps.attempt(`rm ${name}`, () => rm(join(b.workDir, name), { recursive: true, force: true }));
  const failures = steps.failures();
  if (failures !== undefined) throw new AppRunnerError("BuildFailed", `Cleaning up build container ${b.containerId} failed: ${failures}`);
}

/**
 * Crash recovery: removes build containers (ids starting with `prefix`), their cgroups and
 * mounts left by a process that died mid-build. Call before any build starts; the work
 * directories themselves are the caller's to remove (their network namespaces go with the
 * runtime's own leftovers).
 */
export async function cleanupBuildLeftovers(prefix = "orbuild-"): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await runc.list(prefix)) {
    await runc.deleteForce(id);
    await removeCgroups(`${BUILD_CGROUP_PARENT}/${id}`);
    removed.push(id);
  }
  for (const id of await leftoverBuildRoots(prefix)) await unmountBuildRoot(id);
  return removed;
}

/** Removes a build's cgroup in every hierarchy, and the parent once no build is left in it. */
export async function removeCgroups(cgroupsPath: string): Promise<void> {
  let hierarchies: string[] = [];
  try {
    hierarchies = await readdir(CGROUP_ROOT);
  } catch (err) {
    if (errno(err) === "ENOENT") return;
    throw err;
  }
  for (const h of hierarchies) {
    for (const path of [`${CGROUP_ROOT}/${h}${cgroupsPath}`, `${CGROUP_ROOT}/${h}${BUILD_CGROUP_PARENT}`]) {
      for (let i = 0; ; i++) {
        try {
          await rmdir(path);
          break;
        } catch (err) {
          const code = errno(err);
          // Gone, never made in this hierarchy, not a dir, or the parent still has other builds.
          if (code === "ENOENT" || code === "ENOTDIR" || code === "ENOTEMPTY") break;
          if (code === "EBUSY" && path.endsWith(BUILD_CGROUP_PARENT)) break;
          if (code !== "EBUSY" || i >= 50) throw err;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}

