/**
 * Each instance gets an overlay over the shared, read-only unpacked image: writes land in
 * `<dir>/upper` and vanish at teardown, like a container's writable layer on App Runner.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { execHost } from "./exec.js";

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

/** Mounts lowerdir=imageRootfs (read-only), upperdir=<dir>/upper, workdir=<dir>/work at <dir>/rootfs. */
export async function mountOverlay(lower: string, dir: string): Promise<string> {
  const root = resolve(dir);
  const target = `${root}/rootfs`;
  if (await isMounted(target)) return target;
  // The mount option string is comma- and colon-separated; such paths cannot be expressed in it.
  for (const p of [lower, root]) {
    if (/[,:\s]/.test(p)) throw new AppRunnerError("HostSetupFailed", `overlay path "${p}" contains , : or whitespace`);
  }
  await Promise.all([`${root}/upper`, `${root}/work`, target].map((d) => mkdir(d, { recursive: true })));
  await execHost("mount", [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${resolve(lower)},upperdir=${root}/upper,workdir=${root}/work`,
    target,
  ]);
  return target;
}

/** Unmounts <dir>/rootfs if mounted (lazily if busy) and removes upper/work: the layer is ephemeral. */
export async function unmountOverlay(dir: string): Promise<void> {
  const root = resolve(dir);
  const target = `${root}/rootfs`;
  if (await isMounted(target)) {
    try {
      await execHost("umount", [target]);
    } catch (err) {
      if (!(err instanceof AppRunnerError) || !/busy/i.test(err.message)) throw err;
      // Something still holds it (a dying process); detach now, the kernel frees it later.
      await execHost("umount", ["-l", target]);
    }
  }
  await rm(`${root}/upper`, { recursive: true, force: true });
  await rm(`${root}/work`, { recursive: true, force: true });
}

/** Mount points at or below `instancesDir` (crash cleanup). */
export async function listOverlayMounts(instancesDir: string): Promise<string[]> {
  const base = resolve(instancesDir);
  return (await mountPoints()).filter((m) => m.startsWith(`${base}/`));
}
