import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { MEDIA_TYPES, type Descriptor, type ImageManifest } from "./manifest.js";

const run = promisify(execFile);

/** umoci reads OCI media types only; Docker v2 images are the same bytes under other names. */
const TO_OCI: Record<string, string> = {
  [MEDIA_TYPES.dockerManifest]: MEDIA_TYPES.ociManifest,
  [MEDIA_TYPES.dockerConfig]: MEDIA_TYPES.ociConfig,
  [MEDIA_TYPES.dockerLayerGzip]: MEDIA_TYPES.ociLayerGzip,
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
};

function oci(d: Descriptor): { mediaType: string; digest: string; size: number } {
  return { mediaType: TO_OCI[d.mediaType] ?? d.mediaType, digest: d.digest, size: d.size };
}

export interface UnpackRequest {
  manifest: ImageManifest;
  /** Absolute path of a verified blob by digest. */
  blobPath: (digest: string) => string;
  /** Scratch directory (created here, removed by the caller) for the OCI layout umoci reads. */
  layoutDir: string;
  /** Must not exist yet; umoci creates it. */
  rootfs: string;
  signal?: AbortSignal;
  umoci?: string;
}

/**
 * Applies the layers with `umoci raw unpack`, which handles whiteouts, opaque directories,
 * hard links and ownership the way container runtimes expect. umoci reads an OCI layout, so
 * one is written with symlinks to the shared blobs and an OCI-typed copy of the manifest.
 */
export async function unpackWithUmoci(req: UnpackRequest): Promise<void> {
  const blobs = join(req.layoutDir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: oci(req.manifest.config),
    layers: req.manifest.layers.map(oci),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestHex = createHash("sha256").update(manifestBytes).digest("hex");
  await writeFile(join(blobs, manifestHex), manifestBytes);
  const linked = new Set<string>();
  for (const d of [req.manifest.config, ...req.manifest.layers]) {
    if (linked.has(d.digest)) continue;
    linked.add(d.digest);
    await symlink(req.blobPath(d.digest), join(blobs, d.digest.slice("sha256:".length)));
  }
  await writeFile(join(req.layoutDir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: `sha256:${manifestHex}`,
        size: manifestBytes.length,
        annotations: { "org.opencontainers.image.ref.name": "image" },
      },
    ],
  };
  await writeFile(join(req.layoutDir, "index.json"), JSON.stringify(index));

  const args = ["raw", "unpack"];
  // Without root, umoci cannot chown; --rootless keeps the unpack working with the caller's ids.
  if (typeof process.getuid === "function" && process.getuid() !== 0) args.push("--rootless");
  args.push("--image", `${req.layoutDir}:image`, req.rootfs);
  try {
    await run(req.umoci ?? "umoci", args, { maxBuffer: 4 * 1024 * 1024, ...(req.signal ? { signal: req.signal } : {}) });
  } catch (err) {
    req.signal?.throwIfAborted();
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const reason = e.code === "ENOENT" ? "umoci is not installed (apt-get install umoci)" : (e.stderr ?? e.message).trim().slice(-500);
    throw new AppRunnerError("ImagePullFailed", `Unpacking the image failed: ${reason}`, { cause: err });
  }
}

/** Bytes used by a directory tree (du's apparent size; hard links counted once). */
export async function directorySize(path: string): Promise<number> {
  try {
    const { stdout } = await run("du", ["-sxb", path]);
    const n = Number(stdout.split(/\s/)[0]);
    return Number.isFinite(n) ? n : 0;
  } catch (err) {
    throw new AppRunnerError("ImagePullFailed", `Measuring the unpacked image failed: ${(err as Error).message}`, { cause: err });
  }
}
