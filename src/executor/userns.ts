/**
 * Builds run as root inside a user namespace, which is host uid/gid BUILD_ID_BASE + n: root in
 * the build (package managers install system-wide, `apt-get`/`pip install` work as on App
 * Runner) and nobody on the host.
 *
 * The runtime's files are owned by host root, which does not exist in that namespace (they
 * would show as `nobody`, and /usr/local would not be writable). runc 1.1 has no id-mapped
 * mounts, so the runtime is shifted once per runtime and id base, cheaply: an overlay with
 * `metacopy=on` over the runtime rootfs, where every entry is chowned by +BUILD_ID_BASE, copies
 * up metadata only (a few MB of inodes for ~15k files, the data stays in the runtime). That upper
 * layer is kept beside the runtime (`idmap-<base>`), and each build mounts a read-only view of
 * [idmap layer, runtime] as the lower layer of its own overlay. What the build writes is owned
 * by BUILD_ID_BASE + n on the host, and shifted back before the layer is assembled.
 */
import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { chmod, lchown, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { execHost } from "./exec.js";

/** Outside systemd's container and dynamic ranges, below 2^31 (some tools treat ids as signed). */
export const BUILD_ID_BASE = 2_000_000_000;
export const BUILD_ID_COUNT = 65536;

export function buildIdMappings(): { containerID: number; hostID: number; size: number }[] {
  return [{ containerID: 0, hostID: BUILD_ID_BASE, size: BUILD_ID_COUNT }];
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Runs `fn` over `items` with at most `limit` at once. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Visits every entry below and including `root` (not following symlinks), a directory level at a time. */
async function walk(root: string, visit: (path: string, st: Stats) => Promise<void>): Promise<void> {
  let level = [root];
  while (level.length > 0) {
    const next: string[] = [];
    await mapLimit(level, 16, async (path) => {
      const st = await lstat(path);
      await visit(path, st);
      if (st.isDirectory()) for (const name of await readdir(path)) next.push(join(path, name));
    });
    level = next;
  }
}

/**
 * Changes owners by `map` (undefined: leave the entry alone). chown clears setuid, setgid and
 * file capabilities; the mode bits are put back (capabilities are not: builds need none).
 */
export async function shiftOwners(root: string, map: (id: number) => number | undefined): Promise<void> {
  await walk(root, async (path, st) => {
    const uid = map(st.uid);
    const gid = map(st.gid);
    if (uid === undefined && gid === undefined) return;
    await lchown(path, uid ?? st.uid, gid ?? st.gid);
    if (!st.isSymbolicLink() && (st.mode & 0o7000) !== 0) await chmod(path, st.mode & 0o7777);
  });
}

export const intoBuild = (id: number): number | undefined => (id < BUILD_ID_COUNT ? id + BUILD_ID_BASE : undefined);
export const outOfBuild = (id: number): number | undefined =>
  id >= BUILD_ID_BASE && id < BUILD_ID_BASE + BUILD_ID_COUNT ? id - BUILD_ID_BASE : undefined;

const layers = new Map<string, Promise<string>>();

/** The runtime's id-shifted metadata layer (made once, then reused; see above). */
export function idmapLayer(rootfs: string): Promise<string> {
  const dir = join(dirname(resolve(rootfs)), `idmap-${BUILD_ID_BASE}`);
  let p = layers.get(dir);
  if (!p) {
    p = makeIdmapLayer(resolve(rootfs), dir);
    layers.set(dir, p);
    const current = p;
    current.catch(() => {
      if (layers.get(dir) === current) layers.delete(dir);
    });
  }
  return p;
}

async function makeIdmapLayer(rootfs: string, dir: string): Promise<string> {
  try {
    await lstat(dir);
    return dir;
  } catch (err) {
    if (errno(err) !== "ENOENT") throw err;
  }
  const tmp = `${dir}.${randomBytes(4).toString("hex")}.tmp`;
  const merged = join(tmp, "merged");
  await Promise.all(["upper", "work", "merged"].map((d) => mkdir(join(tmp, d), { recursive: true })));
  try {
    checkOverlayPath(rootfs);
    await execHost("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${rootfs},upperdir=upper,workdir=work,metacopy=on`, "merged"], { cwd: tmp });
    try {
      await shiftOwners(merged, intoBuild);
    } finally {
      await execHost("umount", [merged]);
    }
    try {
      await rename(join(tmp, "upper"), dir);
    } catch (err) {
      // Another process made it meanwhile: use theirs.
      if (errno(err) !== "ENOTEMPTY" && errno(err) !== "EEXIST") throw err;
    }
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function checkOverlayPath(p: string): void {
  // The mount option string is comma- and colon-separated; such paths cannot be expressed in it.
  if (/[,:\s]/.test(p)) throw new AppRunnerError("BuildFailed", `overlay path "${p}" contains , : or whitespace`);
}

/** Mounts the read-only, id-shifted view of the runtime at `target` (the build overlay's lower layer). */
export async function mountRuntimeView(rootfs: string, target: string): Promise<void> {
  const layer = await idmapLayer(rootfs);
  for (const p of [layer, resolve(rootfs)]) checkOverlayPath(p);
  await mkdir(target, { recursive: true });
  await execHost("mount", ["-t", "overlay", "overlay", "-o", `ro,metacopy=on,lowerdir=${layer}:${resolve(rootfs)}`, target]);
}
