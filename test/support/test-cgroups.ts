/*
 * The cgroups of the tests' private dockerds: each daemon's --cgroup-parent is
 * `/openrunner-test-<hex>` (its directory `/tmp/ord-<hex>`), in every hierarchy. The daemon
 * leaves the empty directories behind when it stops; these remove them by that name.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Top cgroup directories `openrunner-test-<hex>` (a private dockerd's --cgroup-parent) of each hierarchy, by hex. */
export function cgroupRoots(): Array<{ hex: string; dir: string }> {
  const out: Array<{ hex: string; dir: string }> = [];
  const base = "/sys/fs/cgroup";
  const hierarchies = existsSync(join(base, "cgroup.controllers")) ? [base] : readdirSync(base).map((h) => join(base, h));
  for (const h of hierarchies) {
    let names: string[];
    try {
      names = readdirSync(h);
    } catch {
      continue; // Not a directory (a controller link) or not readable.
    }
    for (const n of names) {
      const hex = /^openrunner-test-([0-9a-f]{6})$/.exec(n)?.[1];
      if (hex) out.push({ hex, dir: join(h, n) });
    }
  }
  return out;
}

/** Kills every process left in the cgroup tree (a crashed run's nodes) and removes it, deepest first. */
async function removeCgroupTree(dir: string): Promise<void> {
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const d of subdirs) await removeCgroupTree(join(dir, d.name));
  for (let i = 0; i < 50; i++) {
    const procs = existsSync(join(dir, "cgroup.procs")) ? readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number) : [];
    for (const pid of procs) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch {
      await sleep(100); // Processes still exiting.
    }
  }
  throw new Error(`cgroup ${dir} could not be removed`);
}

/** Removes the cgroup trees of the private dockerd `/tmp/ord-<hex>` in every hierarchy. */
export async function removeTestCgroups(hex: string): Promise<void> {
  for (const { dir } of cgroupRoots().filter((c) => c.hex === hex)) await removeCgroupTree(dir);
}
