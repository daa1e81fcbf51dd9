/**
 * Turns a build into an OCI image in the local image store: layer 1 is the runtime's root
 * filesystem (its tarball computed once per runtime and cached beside it with its digest),
 * layer 2 is what the build produced (the overlay upper with /app, or just /app). Layers are
 * uncompressed tars: they never leave this host, and gzip would cost seconds per build. The
 * config carries the run environment, PORT, /app as working directory, the start command
 * (after run.pre-run) and the commit as labels.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { LocalImageStore } from "../../images/image-store.js";
import { MEDIA_TYPES } from "../../images/manifest.js";
import { formatDuration, HOST_PATH } from "../runtimes/tool.js";
import { SECRET_REFERENCES_LABEL, type BuildPlan, type RuntimeImage } from "../types.js";

export interface AssembleOptions {
  runtime: RuntimeImage;
  /** The built app (becomes /app). */
  appDir: string;
  /**
   * The build's whole change set (runBuild's layerDir, containing app/): used instead of
   * appDir when given, so installs outside /app are kept.
   */
  layerDir?: string;
  plan: BuildPlan;
  /** The commit built (label and tag). */
  commit: string;
  images: LocalImageStore;
  /** Repository part of the image reference (default "build"): `openrunner.local/<repository>`. */
  repository?: string;
  /** Scratch directory for the OCI layout (default: next to appDir); removed afterwards. */
  workDir?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface AssembledImage {
  manifestDigest: string;
  /** `openrunner.local/<repository>@<manifestDigest>`. */
  imageRef: string;
  /** Milliseconds spent: app layer tar, runtime layer (0 when cached), import + unpack. */
  timings: { appLayerMs: number; runtimeLayerMs: number; importMs: number };
}

interface LayerInfo {
  digest: string;
  size: number;
}

export const LOCAL_REGISTRY = "openrunner.local";
const runtimeLayers = new Map<string, Promise<LayerInfo>>();

/** `/bin/sh -c` script: pre-run commands (stopping at the first failure), then the start command as PID of the shell when it is a simple command. */
export function startScript(plan: Pick<BuildPlan, "preRun" | "startCommand">): string {
  const start = plan.startCommand.trim();
  // `exec` lets the app receive SIGTERM itself; a compound command runs as written.
  // Quoted text cannot hold operators that matter here; look at what is left.
  const unquoted = start.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "");
  const simple = !/[;&|\n`()<>]|\$\(/.test(unquoted) && !/^(?:exec|cd|export|set)\b/.test(start);
  const main = simple ? `exec ${start}` : start;
  return plan.preRun.length > 0 ? `set -e\n${plan.preRun.join("\n")}\n${main}` : main;
}

/** The image's Env: runtime, run.env, then PORT (and run.network.env) = the port. */
export function runEnv(runtime: RuntimeImage, plan: BuildPlan): string[] {
  const vars = new Map<string, string>();
  for (const entry of runtime.env) {
    const eq = entry.indexOf("=");
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(plan.runEnv)) vars.set(k, v);
  vars.set("PORT", String(plan.port));
  if (plan.portEnv) vars.set(plan.portEnv, String(plan.port));
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/**
 * Streams `tar -c` of `entries` under `cwd` into `dest`, hashing on the way. Numeric owners,
 * names sorted, so the same tree gives the same bytes apart from mtimes.
 */
async function tarLayer(cwd: string, entries: string[], dest: string, extraArgs: string[] = [], signal?: AbortSignal): Promise<LayerInfo> {
  const child = spawn("tar", ["--numeric-owner", "--sort=name", "--xattrs", "-C", cwd, ...extraArgs, "-cf", "-", "--", ...entries], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PATH: HOST_PATH },
    ...(signal ? { signal } : {}),
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<number>((res, rej) => {
    child.on("error", rej);
    child.on("close", (code) => res(code ?? 1));
  });
  const hash = createHash("sha256");
  let size = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  try {
    await pipeline(child.stdout, createWriteStream(dest));
    const code = await exited;
    if (code !== 0) throw new AppRunnerError("BuildFailed", `tar of ${cwd} failed (exit ${code}): ${stderr.trim().slice(-500)}`);
  } catch (err) {
    await rm(dest, { force: true });
    if (err instanceof AppRunnerError) throw err;
    throw new AppRunnerError("BuildFailed", `tar of ${cwd} failed: ${(err as Error).message}`, { cause: err });
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** `<runtime dir>/layer.tar` + `layer.json`: the runtime rootfs as one layer, made once (atomically) and reused. */
export function runtimeLayer(runtime: RuntimeImage, signal?: AbortSignal): Promise<{ path: string; info: LayerInfo; ms: number }> {
  const dir = dirname(resolve(runtime.rootfs));
  const path = join(dir, "layer.tar");
  const meta = join(dir, "layer.json");
  let p = runtimeLayers.get(dir);
  if (!p) {
    p = (async () => {
      try {
        const info = JSON.parse(await readFile(meta, "utf8")) as LayerInfo;
        if ((await stat(path)).size === info.size) return info;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
      const info = await tarLayer(runtime.rootfs, ["."], tmp, [], signal);
      await rename(tmp, path);
      await writeFile(`${meta}.tmp`, JSON.stringify(info));
      await rename(`${meta}.tmp`, meta);
      return info;
    })();
    runtimeLayers.set(dir, p);
    const current = p;
    current.catch(() => {
      if (runtimeLayers.get(dir) === current) runtimeLayers.delete(dir);
    });
  }
  const t0 = performance.now();
  return p.then((info) => ({ path, info, ms: Math.round(performance.now() - t0) }));
}

/** Hard-links (or copies across filesystems) a file into the layout's blobs. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "EXDEV" && code !== "EPERM") throw err;
    await copyFile(from, to);
  }
}

export async function assembleImage(opts: AssembleOptions): Promise<AssembledImage> {
  const log = opts.log ?? ((): void => undefined);
  const work = opts.workDir ?? join(dirname(resolve(opts.appDir)), `..`, `image-${randomBytes(4).toString("hex")}`);
  const blobs = join(work, "layout", "blobs", "sha256");
  const blobPath = (digest: string): string => join(blobs, digest.slice("sha256:".length));
  try {
    await mkdir(blobs, { recursive: true });
    const t0 = performance.now();
    const runtimeTar = await runtimeLayer(opts.runtime, opts.signal);
    if (runtimeTar.ms > 1000) log(`[AppRunner] Runtime layer prepared once in ${formatDuration(runtimeTar.ms)} (${(runtimeTar.info.size / 2 ** 20).toFixed(0)} MB).`);
    await linkOrCopy(runtimeTar.path, blobPath(runtimeTar.info.digest));

    const t1 = performance.now();
    const appTmp = join(blobs, "app-layer.tmp");
    let app: LayerInfo;
    if (opts.layerDir) {
      const entries = (await readdir(opts.layerDir)).sort();
      app = await tarLayer(opts.layerDir, entries, appTmp, [], opts.signal);
    } else {
      app = await tarLayer(opts.appDir, ["."], appTmp, ["--transform=s,^\\.$,app,;s,^\\./,app/,"], opts.signal);
    }
    await rename(appTmp, blobPath(app.digest));
    const appLayerMs = Math.round(performance.now() - t1);

    const plan = opts.plan;
    const config = {
      created: new Date().toISOString(),
      architecture: "amd64",
      os: "linux",
      config: {
        Env: runEnv(opts.runtime, plan),
        Cmd: ["/bin/sh", "-c", startScript(plan)],
        WorkingDir: "/app",
        ExposedPorts: { [`${plan.port}/tcp`]: {} },
        Labels: {
          "org.opencontainers.image.revision": opts.commit,
          "openrunner.runtime": opts.runtime.runtime,
          "openrunner.runtime-version": opts.runtime.version,
          "openrunner.config-source": plan.source,
          // References only (resolved at each deployment): a resume runs the image with the same secrets.
          ...(plan.secrets && Object.keys(plan.secrets).length > 0 ? { [SECRET_REFERENCES_LABEL]: JSON.stringify(plan.secrets) } : {}),
        },
      },
      rootfs: { type: "layers", diff_ids: [runtimeTar.info.digest, app.digest] },
      history: [
        { created_by: `openrunner runtime ${opts.runtime.runtime} ${opts.runtime.version}` },
        { created_by: `openrunner build of ${opts.commit}` },
      ],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = `sha256:${createHash("sha256").update(configBytes).digest("hex")}`;
    await writeFile(blobPath(configDigest), configBytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length },
      layers: [
        { mediaType: MEDIA_TYPES.ociLayer, digest: runtimeTar.info.digest, size: runtimeTar.info.size },
        { mediaType: MEDIA_TYPES.ociLayer, digest: app.digest, size: app.size },
      ],
      annotations: { "org.opencontainers.image.revision": opts.commit },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = `sha256:${createHash("sha256").update(manifestBytes).digest("hex")}`;
    await writeFile(blobPath(manifestDigest), manifestBytes);
    const repository = opts.repository ?? "build";
    const tag = opts.commit.slice(0, 12) || "latest";
    await writeFile(join(work, "layout", "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(
      join(work, "layout", "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [
          {
            mediaType: MEDIA_TYPES.ociManifest,
            digest: manifestDigest,
            size: manifestBytes.length,
            annotations: { "org.opencontainers.image.ref.name": tag },
          },
        ],
      }),
    );

    const t2 = performance.now();
    const imageRef = `${LOCAL_REGISTRY}/${repository}@${manifestDigest}`;
    await opts.images.importLayout(join(work, "layout"), `${LOCAL_REGISTRY}/${repository}:${tag}`, {
      log: (line) => log(`[AppRunner] ${line}`),
      // Layer 1 is the runtime rootfs itself: link it instead of unpacking hundreds of MB.
      base: { rootfs: opts.runtime.rootfs, layers: 1 },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const importMs = Math.round(performance.now() - t2);
    log(
      `[AppRunner] Image ${imageRef} assembled in ${formatDuration(performance.now() - t0)} (app layer ${(app.size / 2 ** 20).toFixed(1)} MB).`,
    );
    return { manifestDigest, imageRef, timings: { appLayerMs, runtimeLayerMs: runtimeTar.ms, importMs } };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
