/**
 * Builds small OCI (or Docker v2) images from files in memory and pushes them to a test
 * registry over the distribution API, with no Docker or skopeo involved.
 *
 *   const { digest } = await buildAndPushImage(registry.host, "hello", "latest", {
 *     busybox: true,                                   // /bin/busybox + /bin/sh -> busybox
 *     files: { "/www/index.html": "hi", "/run.sh": { content: "#!/bin/sh\n...", mode: 0o755 } },
 *     entrypoint: ["/bin/busybox"], cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
 *     exposedPorts: [8080],
 *   });
 *
 * Layers are, bottom first: busybox (if asked), each entry of `layers`, then `files`.
 * `{ whiteout: true }` deletes a path from a lower layer (an OCI `.wh.` file); a key ending in
 * `/.wh..wh..opq` makes its directory opaque. `digest` is what a HEAD on the tag returns (the
 * index digest when `index: true`); `manifestDigest` is always the linux/amd64 manifest.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const run = promisify(execFile);

export type ImageFileSpec =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number }
  | { symlink: string }
  | { whiteout: true }
  | { dir: true; mode?: number };

/** Path in the image (leading "/" optional) -> content. */
export type ImageFiles = Record<string, ImageFileSpec>;

export interface BuildImageOptions {
  /** The top layer. */
  files?: ImageFiles;
  /** Layers below `files`, bottom first. */
  layers?: ImageFiles[];
  /** Adds a bottom layer with the host's static busybox at /bin/busybox and /bin/sh -> busybox. */
  busybox?: boolean;
  entrypoint?: string[];
  cmd?: string[];
  /** Default: a standard PATH only. */
  env?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts?: Array<number | string>;
  /** Media types: OCI (default) or Docker v2 (manifest list for `index`). */
  format?: "oci" | "docker";
  /** Push an index naming linux/amd64 and a fake linux/arm64 manifest; the tag names the index. */
  index?: boolean;
  /** Basic credentials for an auth-enabled registry (startRegistry({ basicAuth: true })). */
  auth?: { username: string; password: string };
}

export interface PushedImage {
  /** What a HEAD on the tag returns: the manifest digest, or the index digest with `index`. */
  digest: string;
  /** Digest of the linux/amd64 image manifest. */
  manifestDigest: string;
  configDigest: string;
  /** Compressed layer digests, bottom first. */
  layerDigests: string[];
}

const BUSYBOX = "/bin/busybox";
const DEFAULT_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

const TYPES = {
  oci: {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    index: "application/vnd.oci.image.index.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
  docker: {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    index: "application/vnd.docker.distribution.manifest.list.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
} as const;

const sha256 = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

interface Blob {
  digest: string;
  bytes: Buffer;
}

/** A reproducible layer: root-owned, mtime 0, sorted names, built with the tar CLI from a temp dir. */
export async function buildLayer(files: ImageFiles): Promise<{ gz: Blob; diffId: string }> {
  const dir = await mkdtemp(join(tmpdir(), "openrunner-layer-"));
  try {
    for (const [rawPath, spec] of Object.entries(files)) {
      const rel = posix.normalize(rawPath.replace(/^\/+/, ""));
      if (rel === "" || rel === "." || rel.startsWith("..")) throw new Error(`bad image path ${rawPath}`);
      const target = join(dir, rel);
      await mkdir(dirname(target), { recursive: true });
      if (typeof spec === "string" || Buffer.isBuffer(spec)) {
        await writeFile(target, spec);
        await chmod(target, 0o644);
      } else if ("symlink" in spec) {
        await symlink(spec.symlink, target);
      } else if ("whiteout" in spec) {
        await writeFile(join(dirname(target), `.wh.${posix.basename(rel)}`), "");
      } else if ("dir" in spec) {
        await mkdir(target, { recursive: true });
        await chmod(target, spec.mode ?? 0o755);
      } else {
        await writeFile(target, spec.content);
        await chmod(target, spec.mode ?? 0o644);
      }
    }
    const entries = (await readdir(dir)).sort();
    const args = ["--create", "--file=-", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0"];
    args.push("--format=pax", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "-C", dir);
    args.push(...(entries.length > 0 ? ["--", ...entries] : ["--files-from=/dev/null"]));
    const { stdout } = await run("tar", args, { encoding: "buffer", maxBuffer: 1024 * 1024 * 1024 });
    const gz = gzipSync(stdout);
    return { gz: { digest: sha256(gz), bytes: gz }, diffId: sha256(stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function authHeaders(opts: BuildImageOptions): Record<string, string> {
  if (!opts.auth) return {};
  return { Authorization: `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}` };
}

async function expectStatus(res: Response, ok: number[], what: string): Promise<void> {
  if (ok.includes(res.status)) return;
  throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}

/** Uploads a blob unless the registry has it (monolithic upload: POST, then PUT ?digest=). */
export async function pushBlob(host: string, repo: string, blob: Blob, opts: BuildImageOptions = {}): Promise<void> {
  const base = `http://${host}/v2/${repo}`;
  const auth = authHeaders(opts);
  const head = await fetch(`${base}/blobs/${blob.digest}`, { method: "HEAD", headers: auth });
  if (head.status === 200) return;
  const start = await fetch(`${base}/blobs/uploads/`, { method: "POST", headers: auth });
  await expectStatus(start, [202], `starting upload of ${blob.digest}`);
  await start.body?.cancel();
  const location = start.headers.get("location");
  if (!location) throw new Error("upload answer without Location");
  const url = new URL(location, `http://${host}`);
  url.searchParams.set("digest", blob.digest);
  const put = await fetch(url, {
    method: "PUT",
    headers: { ...auth, "Content-Type": "application/octet-stream", "Content-Length": String(blob.bytes.length) },
    body: new Uint8Array(blob.bytes),
  });
  await expectStatus(put, [201], `uploading ${blob.digest}`);
  await put.body?.cancel();
}

/** PUTs a manifest or index under a tag or digest; returns the digest the registry reports. */
export async function pushManifest(
  host: string,
  repo: string,
  reference: string,
  mediaType: string,
  bytes: Buffer,
  opts: BuildImageOptions = {},
): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: "PUT",
    headers: { ...authHeaders(opts), "Content-Type": mediaType },
    body: new Uint8Array(bytes),
  });
  await expectStatus(res, [201], `pushing manifest ${repo}:${reference}`);
  await res.body?.cancel();
  const digest = sha256(bytes);
  const reported = res.headers.get("docker-content-digest");
  if (reported && reported !== digest) throw new Error(`registry reported ${reported} for a manifest of digest ${digest}`);
  return digest;
}

function imageConfig(opts: BuildImageOptions, diffIds: string[], architecture: string): Buffer {
  const config: Record<string, unknown> = { Env: opts.env ?? DEFAULT_ENV };
  if (opts.entrypoint) config.Entrypoint = opts.entrypoint;
  if (opts.cmd) config.Cmd = opts.cmd;
  if (opts.workingDir) config.WorkingDir = opts.workingDir;
  if (opts.user) config.User = opts.user;
  if (opts.exposedPorts) {
    config.ExposedPorts = Object.fromEntries(
      opts.exposedPorts.map((p) => [typeof p === "number" ? `${p}/tcp` : p, {}]),
    );
  }
  return Buffer.from(
    JSON.stringify({
      created: "1970-01-01T00:00:00Z",
      architecture,
      os: "linux",
      config,
      rootfs: { type: "layers", diff_ids: diffIds },
      history: diffIds.map(() => ({ created: "1970-01-01T00:00:00Z", created_by: "openrunner test image" })),
    }),
  );
}

export async function buildAndPushImage(
  host: string,
  repo: string,
  tag: string,
  opts: BuildImageOptions = {},
): Promise<PushedImage> {
  const types = TYPES[opts.format ?? "oci"];
  const layerFiles: ImageFiles[] = [];
  if (opts.busybox) {
    // Debian's busybox-static: one static binary, so the image needs no libraries.
    layerFiles.push({ [BUSYBOX]: { content: await readFile(BUSYBOX), mode: 0o755 }, "/bin/sh": { symlink: "busybox" } });
  }
  layerFiles.push(...(opts.layers ?? []));
  if (opts.files) layerFiles.push(opts.files);
  if (layerFiles.length === 0) layerFiles.push({});

  const layers: Array<{ gz: Blob; diffId: string }> = [];
  for (const files of layerFiles) layers.push(await buildLayer(files));
  for (const layer of layers) await pushBlob(host, repo, layer.gz, opts);

  const pushImage = async (architecture: string): Promise<{ digest: string; bytes: Buffer; configDigest: string }> => {
    const configBytes = imageConfig(opts, layers.map((l) => l.diffId), architecture);
    const config = { digest: sha256(configBytes), bytes: configBytes };
    await pushBlob(host, repo, config, opts);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.manifest,
        config: { mediaType: types.config, digest: config.digest, size: configBytes.length },
        layers: layers.map((l) => ({ mediaType: types.layer, digest: l.gz.digest, size: l.gz.bytes.length })),
      }),
    );
    return { digest: sha256(manifest), bytes: manifest, configDigest: config.digest };
  };

  const amd64 = await pushImage("amd64");
  const result = { manifestDigest: amd64.digest, configDigest: amd64.configDigest, layerDigests: layers.map((l) => l.gz.digest) };
  if (!opts.index) {
    const digest = await pushManifest(host, repo, tag, types.manifest, amd64.bytes, opts);
    return { digest, ...result };
  }
  const arm64 = await pushImage("arm64");
  await pushManifest(host, repo, amd64.digest, types.manifest, amd64.bytes, opts);
  await pushManifest(host, repo, arm64.digest, types.manifest, arm64.bytes, opts);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.index,
      manifests: [
        { mediaType: types.manifest, digest: arm64.digest, size: arm64.bytes.length, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
        { mediaType: types.manifest, digest: amd64.digest, size: amd64.bytes.length, platform: { os: "linux", architecture: "amd64" } },
      ],
    }),
  );
  const digest = await pushManifest(host, repo, tag, types.index, index, opts);
  return { digest, ...result };
}
