/**
 * `buildah push` into containers/image's `dir:` format, then made an OCI layout by hard links.
 * buildah 1.28's `oci:` destination gzips every layer whatever `--disable-compression` says
 * (it honours only a system-context flag buildah has no option for), which made writing the
 * 354 MB Node.js base the slowest step of a warm build; `dir:` keeps them uncompressed, so
 * writing is a copy, and a layer's blob digest is its diff_id, the same from build to build.
 */
import { createHash } from "node:crypto";
import { link, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";

/** Pure: the OCI layout index naming the manifest a `dir:` image holds. */
export function layoutIndex(manifest: Buffer): { digest: string; index: string } {
  const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
  let mediaType: unknown;
  try {
    mediaType = (JSON.parse(manifest.toString("utf8")) as { mediaType?: unknown }).mediaType;
  } catch (err) {
    throw new AppRunnerError("BuildFailed", `buildah wrote a manifest that is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const descriptor = { mediaType: typeof mediaType === "string" ? mediaType : "application/vnd.oci.image.manifest.v1+json", digest, size: manifest.length };
  return { digest, index: JSON.stringify({ schemaVersion: 2, manifests: [descriptor] }) };
}

/** Makes `layoutDir` an OCI layout of the image buildah wrote to `dir` (blobs linked, not copied). */
export async function layoutFromDir(dir: string, layoutDir: string): Promise<void> {
  const blobs = join(layoutDir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const manifest = await readFile(join(dir, "manifest.json"));
  const { digest, index } = layoutIndex(manifest);
  for (const name of await readdir(dir)) {
    if (/^[0-9a-f]{64}$/.test(name)) await link(join(dir, name), join(blobs, name));
  }
  await writeFile(join(blobs, digest.slice("sha256:".length)), manifest);
  await writeFile(join(layoutDir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(join(layoutDir, "index.json"), index);
}
