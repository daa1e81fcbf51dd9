/**
 * Runs a build plan's phases in a runc container over the runtime's root filesystem:
 *
 * - rootfs = overlay(lower = the runtime, id-shifted for the build's user namespace; upper/work
 *   in `workDir`); the source is copied to `<upper>/app` before the mount, so after the build
 *   `<upper>/app` is the whole app and `<upper>` is exactly what the build changed (owners
 *   shifted back, whiteouts turned into OCI `.wh.` files);
 * - root inside a user namespace, nobody on the host (userns.ts); a network namespace of its own
 *   behind the runtime's firewall: outbound internet, never the host, instances or other builds
 *   (build-network.ts); cgroup CPU/memory/pids limits; dependency caches of the service
 *   (`<cacheDir>/npm` at /root/.npm, `<cacheDir>/pip` at /root/.cache/pip);
 * - the container's init only waits; each command runs through `runc exec` as `sh -c`, in
 *   order pre-build, build, post-build, stopping at the first failure. Every output line goes
 *   to `log` as `[Build] …`.
 *
 * The container, its cgroups, network and mounts are always removed, also on failure, abort or
 * timeout; on failure `workDir` is emptied too.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { nofileLimit, readHostResolvConf } from "../../executor/host-facts.js";
import * as runc from "../../executor/runc.js";
import type { HostLayout } from "../../executor/types.js";
import { formatDuration, HOST_PATH, runTool } from "../runtimes/tool.js";
import type { BuildPlan, RuntimeImage } from "../types.js";
import { allocateBuildNetwork, type BuildNetwork } from "./build-network.js";
import { tidyUpper } from "./layer.js";
import { mountBuildRoot } from "./mounts.js";
import { CA_BUNDLE_PATH, makeBuildSpec, type BuildLimits } from "./spec.js";
import { BUILD_CGROUP_PARENT, CGROUP_ROOT, teardown } from "./teardown.js";

export type { BuildLimits } from "./spec.js";

export interface RunBuildOptions {
  runtime: RuntimeImage;
  /** The checked-out source directory (copied, never modified). */
  sourceDir: string;
  plan: BuildPlan;
  /** `<data-dir>/build-cache/<serviceId>`: npm and pip caches kept between builds. */
  cacheDir: string;
  /** Scratch directory of this build (overlay upper/work, bundle); the result lives in it. */
  workDir: string;
  limits: BuildLimits;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Whole-build timeout (default 30 minutes). */
  timeoutMs?: number;
  /**
   * Host CA bundle mounted over the runtime's, so package installs trust what the host trusts
   * (default /etc/ssl/certs/ca-certificates.crt when present; null: none).
   */
  caBundle?: string | null;
  /** runc container id (default `orbuild-<random>`); also names the cgroup `/openrunner-builds/<id>`. */
  containerId?: string;
  /** The data directory's runtime layout: the build's network is one of its build slots, behind its firewall. */
  layout: HostLayout;
}

export interface BuildResult {
  /** The app as the build left it (`<upper>/app`). */
  appDir: string;
  /**
   * Everything the build changed in the root filesystem (the overlay upper, `app/` included), as
   * an OCI layer directory: deletions are `.wh.<name>` files. Installs outside /app (pip install
   * into /usr/local) are here.
   */
  layerDir: string;
}

export { BUILD_CGROUP_PARENT, cleanupBuildLeftovers } from "./teardown.js";
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const TAIL_LINES = 20;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** A user command run as `sh -c`, its stderr merged into stdout so lines keep their order. */
function shellArgs(command: string): string[] {
  return ["/bin/sh", "-c", `exec 2>&1\n${command}`];
}

export async function runBuild(opts: RunBuildOptions): Promise<BuildResult> {
  const workDir = resolve(opts.workDir);
  const containerId = opts.containerId ?? `orbuild-${randomBytes(5).toString("hex")}`;
  const cgroupsPath = `${BUILD_CGROUP_PARENT}/${containerId}`;
  const upper = join(workDir, "upper");
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let ok = false;
  let net: BuildNetwork | undefined;
  try {
    signal.throwIfAborted();
    await mkdir(workDir, { recursive: true });
    await copySource(opts.sourceDir, join(upper, "app"));
    net = await allocateBuildNetwork(opts.layout, await readHostResolvConf());
    const root = await mountBuildRoot({
      containerId,
      runtimeRootfs: opts.runtime.rootfs,
      workDir,
      caches: { "/root/.npm": join(opts.cacheDir, "npm"), "/root/.cache/pip": join(opts.cacheDir, "pip") },
      hosts: net.hosts,
      resolv: net.resolv,
    });
    const caBundle = opts.caBundle === undefined ? (existsSync(CA_BUNDLE_PATH) ? CA_BUNDLE_PATH : undefined) : (opts.caBundle ?? undefined);
    const env = buildEnv(opts.runtime, opts.plan, caBundle !== undefined);
    const spec = makeBuildSpec({
      rootfs: root.rootfs,
      hostsFile: root.hostsFile,
      resolvFile: root.resolvFile,
      env,
      limits: opts.limits,
      cgroupsPath,
      ...(caBundle ? { caBundle } : {}),
      nofileLimit: await nofileLimit(),
      args: ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"],
    });
    await writeFile(join(workDir, "config.json"), JSON.stringify(spec, null, 2));
    await runc.runDetached(containerId, workDir, join(workDir, "init.log"), "create");
    const created = await runc.state(containerId);
    if (!created?.pid) throw new AppRunnerError("BuildFailed", `The build container ${containerId} has no process after runc create.`);
    await net.attach(created.pid);
    await runc.start(containerId);

    const phases: Array<[string, string[]]> = [
      ["pre-build", opts.plan.preBuild],
      ["build", opts.plan.build],
      ["post-build", opts.plan.postBuild],
    ];
    for (const [phase, commands] of phases) {
      for (const command of commands) {
        opts.log(`[AppRunner] Running ${phase} command: ${command}`);
        const t0 = performance.now();
        const { code, tail } = await execInContainer(containerId, command, opts.log, signal);
        if (signal.aborted) throw abortError(signal, timeout, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        if (code !== 0) {
          const oom = await oomKills(cgroupsPath);
          const why = oom > 0 ? ` (the build ran out of memory: limit ${Math.round(opts.limits.memoryBytes / 2 ** 20)} MB)` : "";
          throw new AppRunnerError(
            "BuildFailed",
            `Build failed: the ${phase} command "${command}" exited with code ${code}${why}.${tail ? ` Last output: ${tail}` : ""}`,
          );
        }
        opts.log(`[AppRunner] ${phase} command finished in ${formatDuration(performance.now() - t0)}`);
      }
    }
    ok = true;
  } catch (err) {
    const settled = err instanceof AppRunnerError && err.message.startsWith("Build failed") || err === signal.reason;
    if (signal.aborted && !settled) throw abortError(signal, timeout, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, err);
    throw err;
  } finally {
    await teardown({ containerId, cgroupsPath, workDir, keepUpper: ok, releaseNetwork: net?.release });
  }
  await tidyUpper(upper);
  return { appDir: join(upper, "app"), layerDir: upper };
}

function abortError(signal: AbortSignal, timeout: AbortSignal, timeoutMs: number, cause?: unknown): Error {
  if (timeout.aborted) {
    return new AppRunnerError("BuildFailed", `Build failed: it took longer than ${formatDuration(timeoutMs)}.`, { cause });
  }
  return signal.reason instanceof Error ? signal.reason : new AppRunnerError("BuildFailed", "Build aborted.", { cause });
}

/** Runtime env, cache locations, then build.env (the user's values win). */
export function buildEnv(runtime: RuntimeImage, plan: BuildPlan, hostCa = false): string[] {
  const vars = new Map<string, string>();
  const put = (entry: string): void => {
    const eq = entry.indexOf("=");
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  };
  put("HOME=/root");
  runtime.env.forEach(put);
  put("npm_config_cache=/root/.npm");
  put("npm_config_update_notifier=false");
  put("PIP_CACHE_DIR=/root/.cache/pip");
  put("PIP_DISABLE_PIP_VERSION_CHECK=1");
  put("PIP_ROOT_USER_ACTION=ignore");
  if (hostCa) {
    // Node.js ships its own CA list and pip may use certifi's: point both at the system bundle.
    for (const name of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"]) put(`${name}=${CA_BUNDLE_PATH}`);
  }
  for (const [k, v] of Object.entries(plan.buildEnv)) vars.set(k, v);
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/** Copies the source to `dest` (reflinks where the filesystem can), without the .git directory. */
async function copySource(sourceDir: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  await runTool("cp", ["-a", "--reflink=auto", `${resolve(sourceDir)}/.`, dest], { timeoutMs: 10 * 60_000 });
  await rm(join(dest, ".git"), { recursive: true, force: true });
}

/** `runc exec` one command; streams its lines to `log`; resolves with its exit code and last lines. */
function execInContainer(
  containerId: string,
  command: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<{ code: number; tail: string }> {
  return new Promise((resolveExec, rejectExec) => {
    const child = spawn("runc", ["exec", "--cwd", "/app", containerId, ...shellArgs(command)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: HOST_PATH },
    });
    const last: string[] = [];
    const out = createInterface({ input: child.stdout, crlfDelay: Infinity });
    out.on("line", (line) => {
      log(`[Build] ${line}`);
      last.push(line);
      if (last.length > TAIL_LINES) last.shift();
    });
    // Only runc's own messages arrive here (the command's stderr is merged into stdout).
    const err = createInterface({ input: child.stderr, crlfDelay: Infinity });
    err.on("line", (line) => log(`[AppRunner] runc: ${line}`));
    const onAbort = (): void => {
      child.kill("SIGKILL");
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let closed = 0;
    let exitCode = 0;
    const finish = (): void => {
      if (++closed < 3) return;
      signal.removeEventListener("abort", onAbort);
      resolveExec({ code: exitCode, tail: last.slice(-3).join(" | ").slice(-500) });
    };
    out.on("close", finish);
    err.on("close", finish);
    child.on("error", (e) => {
      signal.removeEventListener("abort", onAbort);
      rejectExec(new AppRunnerError("BuildFailed", `runc exec: ${e.message}`, { cause: e }));
    });
    child.on("exit", (code, sig) => {
      exitCode = code ?? (sig ? 128 + (sig === "SIGKILL" ? 9 : 15) : 1);
      finish();
    });
  });
}

/** How many processes of the cgroup the memory limit killed. */
export async function oomKills(cgroupsPath: string): Promise<number> {
  try {
    const text = await readFile(`${CGROUP_ROOT}/memory${cgroupsPath}/memory.oom_control`, "utf8");
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  } catch (err) {
    // No cgroup v1 memory hierarchy here (or already removed): nothing to tell.
    if (errno(err) === "ENOENT") return 0;
    throw err;
  }
}
