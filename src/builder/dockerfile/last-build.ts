/**
 * What a service's last Dockerfile build left in its layer cache (`last-build.json`: the image id
 * buildah gave it and the manifest it became in the image store).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalImageStore } from "../../images/image-store.js";
import type { PullResult } from "../../images/types.js";

const LAST_BUILD_FILE = "last-build.json";

interface LastBuild {
  imageId: string;
  manifestDigest: string;
}

async function readLastBuild(cacheDir: string): Promise<LastBuild | undefined> {
  let last: { imageId?: unknown; manifestDigest?: unknown };
  try {
    last = JSON.parse(await readFile(join(cacheDir, LAST_BUILD_FILE), "utf8")) as typeof last;
  } catch (err) {
    // No build yet, or a half-written record from a crash: build the image the long way.
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || err instanceof SyntaxError) return undefined;
    throw err;
  }
  return typeof last.imageId === "string" && typeof last.manifestDigest === "string" ? { imageId: last.imageId, manifestDigest: last.manifestDigest } : undefined;
}

export async function recordLastBuild(cacheDir: string, last: LastBuild): Promise<void> {
  await writeFile(join(cacheDir, LAST_BUILD_FILE), JSON.stringify(last));
}

/**
 * The image of the last build when buildah built the very same image again (every step from
 * the cache: a redeployment of the same commit) and the store still has it: writing and
 * importing it again would give the same manifest.
 */
export async function unchangedImage(images: LocalImageStore, cacheDir: string, imageId: string): Promise<PullResult | undefined> {
  const last = await readLastBuild(cacheDir);
  if (last?.imageId !== imageId) return undefined;
  const image = await images.get(last.manifestDigest);
  return image ? { resolvedDigest: last.manifestDigest, image } : undefined;
}
