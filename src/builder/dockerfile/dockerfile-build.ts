/**
 * A Dockerfile build: buildah (`bud --layers`) in the build sandbox (sandbox.ts), with the
 * service's layer cache in `<data-dir>/build-cache/<service-id>/buildah`, then the image written
 * as an OCI layout and imported into the local image store, where the driver runs it like any
 * pulled image (its CMD/ENTRYPOINT, its EXPOSEd port or 8080).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { nofileLimit, nprocLimit } from "../../executor/host-facts.js";
import type { HostLayout } from "../../executor/types.js";
import { BUILD_ID_BASE } from "../../executor/userns.js";
import type { LocalImageStore } from "../../images/image-store.js";
import { isLoopbackHost } from "../../images/registry-config.js";
import type { PullResult } from "../../images/types.js";
import { LOCAL_REGISTRY } from "../assemble/assemble.js";
import { formatDuration, HOST_PATH } from "../runtimes/tool.js";
import { CA_BUNDLE_PATH, type BuildLimits } from "../sandbox/spec.js";
import {
  authJson,
  baseImageOfDockerfile,
  budArgs,
  BUILDAH_NPROC,
  globalArgs,
  pushArgs,
  registriesConf,
  registriesDefaultYaml,
  registriesOfDockerfile,
  remoteAdds,
  type BuildahPaths,
  type RegistryLogin,
} from "./buildah-args.js";
import { BuildahOutput } from "./buildah-output.js";
import type { DockerfilePlan } from "./plan.js";
import { layoutFromDir } from "./dir-layout.js";
import { linkLastLayers, recordLastBuild, unchangedImage } from "./last-build.js";
import { unreachableRegistry, type DockerfileRegistries } from "./registries.js";
import { MOUNT_BASE, openSandbox, type DockerfileSandbox } from "./sandbox.js";

export interface DockerfileBuildOptions {
  dataDir: string;
  images: LocalImageStore;
  layout: HostLayout;
  registries?: DockerfileRegistries;
}

export interface DockerfileBuildInput {
  serviceId: string;
  /** Repository part of the image reference `openrunner.local/<serviceName>`: already a valid reference component (lowercase). */
  serviceName: string;
  commit: string;
  /** The checked-out source directory (the build context). */
  sourceDir: string;
  /** This build's scratch directory (removed by the caller). */
  workDir: string;
  plan: DockerfilePlan;
  limits: BuildLimits;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Whole-build timeout (default 30 minutes). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** The service's layer cache (containers/storage root and buildah's home). */
export function layerCacheDir(dataDir: string, serviceId: string): string {
  return join(dataDir, "build-cache", serviceId, "buildah");
}

export async function buildDockerfile(opts: DockerfileBuildOptions, input: DockerfileBuildInput): Promise<PullResult> {
  const { log } = input;
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  const dockerfile = await locateDockerfile(input.sourceDir, input.plan.dockerfile);
  const text = await readFile(dockerfile.path, "utf8");
  const remote = remoteAdds(text)[0];
  if (remote !== undefined) {
    const message = `Step ${remote} is not supported: buildah would download it outside the build sandbox; download it in a RUN step (curl, wget) instead`;
    log(`[Build] ${message}`);
    throw new AppRunnerError("BuildFailed", `Build failed: ${message}.`);
  }

  const cache = layerCacheDir(opts.dataDir, input.serviceId);
  const work = resolve(input.workDir);
  await prepareDirs(cache, work, ["storage", "home"], ["run", "tmp", "sigstore", "registries.d", "out"]);
  const paths: BuildahPaths = {
    storageRoot: `${MOUNT_BASE}/cache/storage`,
    runRoot: `${MOUNT_BASE}/work/run`,
    registriesConf: `${MOUNT_BASE}/work/registries.conf`,
    registriesDir: `${MOUNT_BASE}/work/registries.d`,
  };
  const hosts = registriesOfDockerfile(text, input.plan.buildArgs);
  const unreachable = unreachableRegistry(hosts, opts.registries);
  if (unreachable !== undefined) {
    log(`[Build] ${unreachable}`);
    throw new AppRunnerError("BuildFailed", `Build failed: ${unreachable}.`);
  }
  const insecure = opts.registries?.insecure ?? isLoopbackHost;
  const logins = new Map<string, RegistryLogin>();
  const access = hosts.map((host) => {
    const location = opts.registries?.location?.(host);
    return { host, insecure: insecure(location ?? host), ...(location ? { location } : {}) };
  });
  for (const a of access) {
    for (const name of new Set([a.host, a.location ?? a.host])) {
      const login = opts.registries?.credentials?.(name);
      if (login) logins.set(name, login);
    }
  }
  await writeOwned(join(work, "registries.conf"), registriesConf(access));
  await writeOwned(join(work, "registries.d", "default.yaml"), registriesDefaultYaml(`${MOUNT_BASE}/work/sigstore`));
  if (logins.size > 0) await writeOwned(join(work, "auth.json"), authJson(logins), 0o600);

  log(`[AppRunner] Building the Dockerfile ${input.plan.dockerfile}${input.plan.target ? ` (stage ${input.plan.target})` : ""} with buildah.`);
  const id = `orbuild-df-${randomBytes(5).toString("hex")}`;
  const sandbox = await openSandbox({ id, layout: opts.layout, limits: input.limits, mounts: { cache, work, context: input.sourceDir } });
  // Ended with the build: a failed build need not wait for (or keep) a pull nobody uses.
  const baseDone = new AbortController();
  const base = unpackedBase(opts.images, baseImageOfDockerfile(text, input.plan.buildArgs, input.plan.target), AbortSignal.any([signal, baseDone.signal]), log);
  try {
    const t0 = performance.now();
    const output = new BuildahOutput();
    const bud = budArgs({
      contextDir: `${MOUNT_BASE}/context`,
      dockerfile: `${MOUNT_BASE}/context/${dockerfile.relative}`,
      buildArgs: input.plan.buildArgs,
      iidFile: `${MOUNT_BASE}/work/iid`,
      netns: sandbox.netns,
      dns: sandbox.dns,
      nofile: await nofileLimit(),
      nproc: await nprocLimit(BUILDAH_NPROC),
      ...(input.plan.target ? { target: input.plan.target } : {}),
      ...(logins.size > 0 ? { authFile: `${MOUNT_BASE}/work/auth.json` } : {}),
      ...(existsSync(CA_BUNDLE_PATH) ? { caBundle: CA_BUNDLE_PATH } : {}),
    });
    const code = await runBuildah(sandbox, [...globalArgs(paths), ...bud], signal, (line) => {
      output.feed(line);
      log(`[Build] ${line}`);
    });
    if (signal.aborted) throw abortError(input.signal, timeout, timeoutMs);
    if (code !== 0) {
      const failure = output.failure(code);
      const oom = await sandbox.oomKills();
      const why = oom > 0 ? ` (the build ran out of memory: limit ${Math.round(input.limits.memoryBytes / 2 ** 20)} MB)` : "";
      log(`[Build] ${failure.message}${why}`);
      throw new AppRunnerError("BuildFailed", `Build failed: ${failure.message}${why}.`);
    }
    log(`[AppRunner] Dockerfile built in ${formatDuration(performance.now() - t0)} (${output.cacheHits} step${output.cacheHits === 1 ? "" : "s"} from the layer cache).`);
    const imageId = (await readFile(join(work, "iid"), "utf8")).trim();
    let result = await unchangedImage(opts.images, cache, imageId);
    if (result) {
      log(`[AppRunner] The built image is the one of the last build (${imageId.replace(/^sha256:/, "").slice(0, 12)}): it is reused as it is.`);
    } else {
      const tag = input.commit.slice(0, 12) || "latest";
      const t1 = performance.now();
      await prepareDirs(join(work, "layout"), join(work, "layout", "blobs"), [], ["sha256"]);
      const reused = await linkLastLayers(opts.images, cache, join(work, "layout", "blobs", "sha256"));
      const to = reused > 0 ? { layout: `${MOUNT_BASE}/work/layout`, tag } : { dir: `${MOUNT_BASE}/work/out` };
      const pushOut: string[] = [];
      const pushed = await runBuildah(sandbox, [...globalArgs(paths), ...pushArgs(imageId, to)], signal, (line) => {
        pushOut.push(line);
        if (pushOut.length > 20) pushOut.shift();
      });
      if (signal.aborted) throw abortError(input.signal, timeout, timeoutMs);
      if (pushed !== 0) throw new AppRunnerError("BuildFailed", `Writing the built image failed (buildah push exited with ${pushed}): ${pushOut.slice(-3).join(" | ")}`);
      if (reused === 0) await layoutFromDir(join(work, "out"), join(work, "layout"));
      const t2 = performance.now();
      const baseImage = await base;
      result = await opts.images.importLayout(join(work, "layout"), `${LOCAL_REGISTRY}/${input.serviceName}:${tag}`, {
        log: (line) => log(`[AppRunner] ${line}`),
        signal,
        ...(baseImage ? { baseImage } : {}),
      });
      const linked = reused > 0 ? ` (${reused} layer${reused === 1 ? "" : "s"} of the last build reused)` : "";
      log(`[AppRunner] Image written in ${formatDuration(t2 - t1)}, imported in ${formatDuration(performance.now() - t2)}${linked}.`);
      await recordLastBuild(cache, { imageId, manifestDigest: result.image.manifestDigest });
    }
    const config = result.image.config;
    if (config.entrypoint.length === 0 && config.cmd.length === 0) {
      throw new AppRunnerError("BuildFailed", "Build failed: the image the Dockerfile builds has no CMD or ENTRYPOINT to start the service with.");
    }
    log(`[AppRunner] Image ${LOCAL_REGISTRY}/${input.serviceName}@${result.image.manifestDigest} ready in ${formatDuration(performance.now() - t0)}.`);
    return result;
  } finally {
    baseDone.abort();
    await sandbox.close();
  }
}

/**
 * The built image's base, unpacked in the image store (pulled while buildah builds; once per
 * base digest, then "already present"), so the import links its rootfs and applies only the
 * build's own layers. Undefined when it cannot be had: the import then unpacks every layer.
 */
function unpackedBase(images: LocalImageStore, ref: string | undefined, signal: AbortSignal, log: (line: string) => void): Promise<string | undefined> {
  if (ref === undefined) return Promise.resolve(undefined);
  return images.pull(ref, { signal }).then(
    (pulled) => pulled.image.manifestDigest,
    (err: unknown) => {
      if (!signal.aborted) log(`[AppRunner] The base image ${ref} could not be unpacked beside the build (${(err as Error).message}); the built image is unpacked whole.`);
      return undefined;
    },
  );
}

/** The Dockerfile's path inside the source directory (symbolic links may not lead out of it). */
async function locateDockerfile(sourceDir: string, name: string): Promise<{ path: string; relative: string }> {
  const root = await realpath(sourceDir);
  let path: string;
  try {
    path = await realpath(join(root, name));
    if (!(await stat(path)).isFile()) throw new Error("not a file");
  } catch {
    throw new AppRunnerError("BuildFailed", `Build failed: the Dockerfile ${name} was not found in the source directory.`);
  }
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === "..") {
    throw new AppRunnerError("BuildFailed", `Build failed: the Dockerfile ${name} leads outside the source directory.`);
  }
  return { path, relative: rel };
}

/** Directories buildah writes, owned by the build user namespace's root. */
async function prepareDirs(cache: string, work: string, cacheDirs: string[], workDirs: string[]): Promise<void> {
  for (const [base, subs] of [[cache, cacheDirs], [work, workDirs]] as const) {
    await mkdir(base, { recursive: true });
    await chown(base, BUILD_ID_BASE, BUILD_ID_BASE);
    for (const s of subs) {
      await mkdir(join(base, s), { recursive: true });
      await chown(join(base, s), BUILD_ID_BASE, BUILD_ID_BASE);
    }
  }
}

async function writeOwned(path: string, text: string, mode = 0o644): Promise<void> {
  await writeFile(path, text, { mode });
  await chown(path, BUILD_ID_BASE, BUILD_ID_BASE);
}

/** Runs buildah in the sandbox; every output line (stdout and stderr) goes to `onLine`; resolves with its exit code. */
function runBuildah(sandbox: DockerfileSandbox, args: string[], signal: AbortSignal, onLine: (line: string) => void): Promise<number> {
  if (signal.aborted) return Promise.resolve(130);
  const { command, args: argv, env } = sandbox.spawnArgs(["buildah", ...args]);
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, argv, {
      stdio: ["ignore", "pipe", "pipe"],
      // A clean environment: nothing of the control plane's reaches the build.
      env: { PATH: HOST_PATH, HOME: `${MOUNT_BASE}/cache/home`, TMPDIR: `${MOUNT_BASE}/work/tmp`, ...env },
    });
    const onAbort = (): void => {
      void sandbox.killAll().catch(() => child.kill("SIGKILL"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let open = 3;
    let exitCode = 1;
    const done = (): void => {
      if (--open > 0) return;
      signal.removeEventListener("abort", onAbort);
      resolveRun(exitCode);
    };
    for (const stream of [child.stdout, child.stderr]) {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on("line", onLine);
      lines.on("close", done);
    }
    child.on("error", (e) => {
      signal.removeEventListener("abort", onAbort);
      rejectRun(new AppRunnerError("BuildFailed", `buildah could not be started: ${e.message}`, { cause: e }));
    });
    child.on("exit", (code, sig) => {
      exitCode = code ?? (sig ? 128 + (sig === "SIGKILL" ? 9 : 15) : 1);
      done();
    });
  });
}

function abortError(callerSignal: AbortSignal, timeout: AbortSignal, timeoutMs: number): Error {
  if (timeout.aborted && !callerSignal.aborted) return new AppRunnerError("BuildFailed", `Build failed: it took longer than ${formatDuration(timeoutMs)}.`);
  return callerSignal.reason instanceof Error ? callerSignal.reason : new AppRunnerError("BuildFailed", "Build aborted.");
}
