/**
 * What a service's last Dockerfile build left in its layer cache (`last-build.json`: the image id
 * buildah gave it and the manifest it became in the image store).
 */
import { link, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalImageStore } from "../../images/image-store.js";
import { MEDIA_TYPES, parseManifest } from "../../images/manifest.js";
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
 * Pure: the layers of a stored manifest a push can reuse: the uncompressed ones, whose blob
 * digest is the diff_id buildah looks for. A gzipped layer (one a rebuild wrote new, or any
 * layer of a build before uncompressed writes) never matches, so it is not linked.
 */
export function reusableLayers(manifest: Buffer): string[] {
  const doc = parseManifest(manifest, "", "the last build");
  if (doc.kind !== "manifest") return [];
  return doc.layers.filter((l) => l.mediaType === MEDIA_TYPES.ociLayer).map((l) => l.digest);
}

/**
 * Hard-links the last build's uncompressed layers (the store's blobs) into the OCI layout
 * `buildah push` writes next: its `oci:` destination skips every blob the layout already has
 * under the layer's uncompressed digest, so the base image's hundreds of MB are not written
 * again; only the layers the new commit changed are (gzipped: that destination compresses
 * what it writes). Returns how many were linked; with none, the push writes `dir:` instead,
 * uncompressed, so the next build has layers to link.
 */
export async function linkLastLayers(images: LocalImageStore, cacheDir: string, blobsDir: string): Promise<number> {
  const last = await readLastBuild(cacheDir);
  const stored = last ? await images.storedManifest(last.manifestDigest) : undefined;
  const reusable = new Set(stored ? reusableLayers(stored.manifest.body) : []);
  let linked = 0;
  for (const blob of stored?.blobs.filter((b) => reusable.has(b.digest)) ?? []) {
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
