/**
 * What a service's last Dockerfile build left in its layer cache (`last-build.json`: the image id
 * buildah gave it and the manifest it became in the image store).
 */
import { link, readFile, writeFile } from "node:fs/promises";
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

/**
 * Hard-links the last build's layers (the store's blobs, uncompressed as buildah wrote them)
 * into the OCI layout `buildah push` writes next: its `oci:` destination skips every blob the
 * layout already has under the layer's uncompressed digest, so the base image's hundreds of MB
 * are not written again; only the layers the new commit changed are (gzipped: that destination
 * compresses what it writes). Returns how many were linked.
 */
export async function linkLastLayers(images: LocalImageStore, cacheDir: string, blobsDir: string): Promise<number> {
  const last = await readLastBuild(cacheDir);
  const stored = last ? await images.storedManifest(last.manifestDigest) : undefined;
  let linked = 0;
  // The config is the build's own: only the layers (blobs[0] is the config) are worth linking.
  for (const blob of stored?.blobs.slice(1) ?? []) {
    try {
      await link(blob.path, join(blobsDir, blob.digest.slice("sha256:".length)));
      linked++;
    } catch (err) {
      // Another filesystem (EXDEV) or a pruned blob: buildah writes that layer itself, as without the link.
      if (!["EXDEV", "ENOENT", "EEXIST", "EPERM"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
  }
  return linked;
}
