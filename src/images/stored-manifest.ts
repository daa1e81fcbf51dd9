import { readFile, stat } from "node:fs/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { parseManifest } from "./manifest.js";
import { isSha256Digest } from "./reference.js";

/** An image manifest as the image store holds it, with where each blob it names is: what a push sends. */
export interface StoredManifest {
  /** The manifest's own media type and bytes (its digest is of exactly these bytes). */
  manifest: { mediaType: string; body: Buffer };
  /** The config, then the layers, bottom first, each a file of the store. */
  blobs: { digest: string; size: number; path: string }[];
}

/**
 * Reads an image manifest and checks its blobs are all present (`blobPath` is the store's
 * layout), without any network access; undefined when the store does not hold the manifest.
 */
export async function readStoredManifest(blobPath: (digest: string) => string, digest: string): Promise<StoredManifest | undefined> {
  if (!isSha256Digest(digest)) throw new AppRunnerError("InvalidRequest", `Invalid image digest "${digest}".`);
  let body: Buffer;
  try {
    body = await readFile(blobPath(digest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const doc = parseManifest(body, "", digest);
  if (doc.kind !== "manifest") throw new AppRunnerError("ImagePullFailed", `${digest} is an image index, not an image manifest.`);
  const blobs = [doc.config, ...doc.layers].map((d) => ({ digest: d.digest, size: d.size, path: blobPath(d.digest) }));
  for (const b of blobs) {
    const size = (await stat(b.path).catch(() => undefined))?.size;
    // An image whose blobs were pruned is not whole any more: nothing to push from here.
    if (size !== b.size) return undefined;
  }
  return { manifest: { mediaType: doc.mediaType, body }, blobs };
}
