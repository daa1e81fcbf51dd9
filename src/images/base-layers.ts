import { lstat, readdir, realpath, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";

/**
 * An image built FROM another one starts with the other's layers; their blob digests differ when
 * the compression differs (a pulled base is gzip, buildah writes the build uncompressed), but the
 * diff_ids (digests of the uncompressed tars) of the config's `rootfs` do not.
 */
export function diffIdsOf(configBytes: Buffer): string[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(configBytes.toString("utf8"));
  } catch {
    return undefined;
  }
  const rootfs = typeof doc === "object" && doc !== null ? (doc as { rootfs?: unknown }).rootfs : undefined;
  const ids = typeof rootfs === "object" && rootfs !== null ? (rootfs as { diff_ids?: unknown }).diff_ids : undefined;
  return Array.isArray(ids) && ids.every((d): d is string => typeof d === "string") ? ids : undefined;
}

/**
 * Pure: how many of the image's first layers an unpacked base image stands for: all of the
 * base's layers when they are exactly the image's first ones (by diff_id), else 0 (the base's
 * rootfs holds every one of its layers, so a partial match is of no use).
 */
export function baseLayerCount(base: readonly string[], image: readonly string[]): number {
  if (base.length === 0 || base.length > image.length) return 0;
  return base.every((d, i) => d === image[i]) ? base.length : 0;
}

/** Pure: the whiteouts a layer's file names carry: files to remove, and directories whose lower contents are hidden. */
export function whiteoutsOf(names: readonly string[]): { removed: string[]; opaque: string[]; invalid?: string } {
  const removed: string[] = [];
  const opaque: string[] = [];
  for (const name of names) {
    const m = /^(?:\.\/)?(.*?)\.wh\.([^/]+)$/.exec(name);
    if (!m) continue;
    const dir = m[1] ?? "";
    const target = m[2] ?? "";
    if (target === "" || target === "." || target === ".." || name.split("/").includes("..")) return { removed, opaque, invalid: name };
    if (target === ".wh..opq") opaque.push(dir.replace(/\/$/, ""));
    else removed.push(`${dir}${target}`);
  }
  return { removed, opaque };
}

/**
 * Applies one layer's whiteouts to a rootfs before the layer is extracted over it: removed
 * files go, opaque directories are emptied (the layer then refills them). A path whose parent
 * resolves outside the rootfs (through a symbolic link) is refused, never followed.
 */
export async function applyWhiteouts(rootfs: string, w: { removed: string[]; opaque: string[] }, layer: string): Promise<void> {
  const root = await realpath(rootfs);
  const inside = async (path: string): Promise<string | undefined> => {
    let parent: string;
    try {
      parent = await realpath(join(root, path, ".."));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
      throw err;
    }
    const rel = relative(root, parent);
    if (rel.startsWith(`..${sep}`) || rel === "..") {
      throw new AppRunnerError("ImagePullFailed", `Layer ${layer} has a whiteout ${path} outside the root filesystem.`);
    }
    return join(parent, path.split("/").pop() ?? "");
  };
  for (const path of w.removed) {
    const at = await inside(path);
    if (at) await rm(at, { recursive: true, force: true });
  }
  for (const dir of w.opaque) {
    const at = dir === "" ? root : await inside(dir);
    if (!at) continue;
    let kind;
    try {
      kind = await lstat(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    // Not a directory below (a symbolic link, a file): the layer's directory replaces it whole.
    if (!kind.isDirectory()) {
      await rm(at, { force: true });
      continue;
    }
    for (const n of await readdir(at)) await rm(join(at, n), { recursive: true, force: true });
  }
}
