/**
 * Each instance gets an overlay over the shared, read-only unpacked image: writes land in the
 * upper layer and vanish at teardown, like a container's writable layer on App Runner.
 *
 * - **Ephemeral storage limit.** With `diskBytes`, the upper layer lives on the instance's own
 *   file system (`disk/`, ephemeral-disk.ts): writes past it fail inside the instance with ENOSPC.
 * - **No host paths in the instance's mountinfo.** The overlay is mounted from inside `dir` with
 *   relative paths (`lowerdir=lower,upperdir=disk/upper,...`, `lower` being a symlink to the
 *   image), so its options show no host path; files bind-mounted into the instance come from the
 *   disk's own root (`/state`, `/hosts` on `/dev/loopN`).
 */
import { mkdir, readFile, rm, symlink } from "node:fs/promises";
import { resolve } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { makeDisk } from "./ephemeral-disk.js";
import { execHost } from "./exec.js";

export interface OverlayOptions {
  /** Put upper and work on a file system of this many bytes of its own (instances); absent: in `dir` (builds). */
  diskBytes?: number;
}

/** Mount points from /proc/self/mountinfo (field 5), octal escapes (\040 = space) decoded. */
async function mountPoints(): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (line.split(" ")[4] ?? "").replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

export async function isMounted(path: string): Promise<boolean> {
  return (await mountPoints()).includes(resolve(path));
}

/** Makes and mounts `<dir>/disk` (ephemeral-disk.ts) unless it is mounted. Idempotent. */
export async function mountDisk(dir: string, bytes: number): Promise<void> {
  if (await isMounted(`${resolve(dir)}/disk`)) return;
  await makeDisk(dir, bytes);
}

/**
 * Mounts lowerdir=`lower` (read-only) with upper/work beside it (or on its own disk) at
 * `<dir>/rootfs`, and returns that path.
 */
export async function mountOverlay(lower: string, dir: string, opts: OverlayOptions = {}): Promise<string> {
  const root = resolve(dir);
  const target = `${root}/rootfs`;
  if (await isMounted(target)) return target;
  // The mount option string is comma- and colon-separated; such paths cannot be expressed in it.
  for (const p of [lower, root]) {
    if (/[,:\s]/.test(p)) throw new AppRunnerError("HostSetupFailed", `overlay path "${p}" contains , : or whitespace`);
  }
  const layers = opts.diskBytes !== undefined ? "disk/" : "";
  if (opts.diskBytes !== undefined) await mountDisk(root, opts.diskBytes);
  else await Promise.all([`${root}/upper`, `${root}/work`].map((d) => mkdir(d, { recursive: true })));
  await mkdir(target, { recursive: true });
  await rm(`${root}/lower`, { force: true });
  await symlink(resolve(lower), `${root}/lower`);
  await execHost("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=lower,upperdir=${layers}upper,workdir=${layers}work`, "rootfs"], {
    cwd: root,
  });
  return target;
}

async function unmount(target: string): Promise<void> {
  if (!(await isMounted(target))) return;
  try {
    await execHost("umount", [target]);
  } catch (err) {
    if (!(err instanceof AppRunnerError) || !/busy/i.test(err.message)) throw err;
    // Something still holds it (a dying process); detach now, the kernel frees it later.
    await execHost("umount", ["-l", target]);
  }
}

/**
 * Unmounts `<dir>/rootfs` and `<dir>/disk` if mounted (lazily if busy; the loop device goes
 * with the last user) and removes the layers and the disk image: the layer is ephemeral.
 */
export async function unmountOverlay(dir: string): Promise<void> {
  const root = resolve(dir);
  await unmount(`${root}/rootfs`);
  await unmount(`${root}/disk`);
  for (const name of ["upper", "work", "disk", "disk.img", "lower"]) {
    await rm(`${root}/${name}`, { recursive: true, force: true });
  }
}

/** Mount points at or below `instancesDir` (crash cleanup): overlays (`rootfs`) and disks (`disk`). */
export async function listOverlayMounts(instancesDir: string): Promise<string[]> {
  const base = resolve(instancesDir);
  return (await mountPoints()).filter((m) => m.startsWith(`${base}/`));
}
