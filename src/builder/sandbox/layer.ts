/**
 * What a build leaves in its overlay upper, turned into an OCI layer directory: owners shifted
 * back out of the build's user namespace, mount points and temporary files removed, overlayfs
 * whiteouts turned into `.wh.` files.
 */
import { lstat, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { outOfBuild, shiftOwners } from "../../executor/userns.js";

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * Turns the overlay upper into an OCI layer directory: removes the mount points runc created
 * (empty cache dirs, resolv.conf/hosts placeholders), temporary files, and turns overlayfs
 * whiteouts (0:0 character devices) into `.wh.<name>` files.
 * Not handled: opaque directories (an xattr), i.e. a directory of the runtime deleted and
 * re-created by the build shows the runtime's old entries beside the new ones.
 */
export async function tidyUpper(upper: string): Promise<void> {
  // Files the build made are owned by its root, host uid BUILD_ID_BASE: back to 0 (whiteouts already are).
  await shiftOwners(upper, outOfBuild);
  for (const f of ["etc/resolv.conf", "etc/hosts"]) {
    try {
      const st = await lstat(join(upper, f));
      if (st.isFile() && st.size === 0) await rm(join(upper, f));
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
    }
  }
  for (const d of ["root/.npm", "root/.cache/pip", "root/.cache", "root"]) await rmdirIfEmpty(join(upper, d));
  try {
    for (const name of await readdir(join(upper, "tmp"))) await rm(join(upper, "tmp", name), { recursive: true, force: true });
  } catch (err) {
    if (errno(err) !== "ENOENT") throw err;
  }
  await convertWhiteouts(upper);
}

async function rmdirIfEmpty(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (!["ENOENT", "ENOTEMPTY", "EEXIST", "ENOTDIR"].includes(errno(err) ?? "")) throw err;
  }
}

async function convertWhiteouts(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await convertWhiteouts(path);
    } else if (entry.isCharacterDevice() && (await lstat(path)).rdev === 0) {
      await rm(path);
      await writeFile(join(dir, `.wh.${entry.name}`), "");
    }
  }
}

