import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { performance } from "node:perf_hooks";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { SharedExclusiveLock, SharedTasks } from "./concurrency.js";
import { chooseLinuxAmd64, parseManifest, parseRunConfig, type Descriptor, type ImageManifest } from "./manifest.js";
import { isSha256Digest, parseImageReference } from "./reference.js";
import { RegistryClient } from "./registry-client.js";
import type { RegistryConfig } from "./registry-config.js";
import type { ImageReference, ImageRunConfig, ImageStore, PullOptions, PullResult, UnpackedImage } from "./types.js";
import { readStoredManifest, type StoredManifest } from "./stored-manifest.js";
import { directorySize, unpackWithUmoci } from "./unpack.js";
import { applyWhiteouts, baseLayerCount, diffIdsOf, whiteoutsOf } from "./base-layers.js";

export type ImageStoreLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface LocalImageStoreOptions {
  /** `<data-dir>/images`; created on first use. */
  dir: string;
  /** From `loadRegistryConfig(dataDir)`. */
  config: RegistryConfig;
  logger?: ImageStoreLogger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Path of the umoci binary; default `umoci` from PATH. */
  umoci?: string;
  /** Blobs downloaded at once per pull. Default 3. */
  downloadConcurrency?: number;
}

/** `unpacked/<hex>/image.json`: written once, beside the rootfs it describes. */
export interface ImageRecord {
  manifestDigest: string;
  configDigest: string;
  /** Layer blob digests, bottom first. */
  layers: string[];
  config: ImageRunConfig;
  sizeBytes: number;
  unpackedAt: string;
  /** The image whose unpacked rootfs this one's started as (hard links): kept as long as this one is. */
  baseImage?: string;
}

interface UnpackOutcome {
  record: ImageRecord;
  layers: number;
  downloadedBytes: number;
}

const runFile = promisify(execFile);

const hexOf = (digest: string): string => digest.slice("sha256:".length);

/**
 * Images on local disk, once per manifest digest:
 * `blobs/sha256/<hex>` holds verified blobs (manifests, indexes, configs, layers) shared by all
 * images; `unpacked/<manifest-hex>/{rootfs,image.json}` appears by one rename when complete;
 * `tmp/` holds downloads and unpacks in progress (cleared by prune).
 */
export class LocalImageStore implements ImageStore {
  private readonly client: RegistryClient;
  private readonly unpacks = new SharedTasks<UnpackOutcome>();
  private readonly downloads = new SharedTasks<number>();
  private readonly lock = new SharedExclusiveLock();
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: LocalImageStoreOptions) {
    this.client = new RegistryClient({ config: opts.config, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  }

  async resolve(identifier: string, signal?: AbortSignal): Promise<string> {
    return this.client.resolve(parseImageReference(identifier), signal);
  }

  async pull(identifier: string, opts: PullOptions = {}): Promise<PullResult> {
    const ref = parseImageReference(identifier);
    const log = opts.log ?? ((): void => undefined);
    const { signal } = opts;
    if (opts.digest !== undefined && !isSha256Digest(opts.digest)) {
      throw new AppRunnerError("InvalidRequest", `Invalid image digest "${opts.digest}".`);
    }
    const started = performance.now();
    log(`Pulling image ${identifier}`);
    await this.init();
    return this.lock.shared(async () => {
      const resolvedDigest = opts.digest ?? ref.digest ?? (await this.client.resolve(ref, signal));
      log(`Image digest: ${resolvedDigest}`);
      const present = await this.readRecord(resolvedDigest);
      if (present) {
        log("Image already present");
        return { resolvedDigest, image: this.toImage(present) };
      }
      const { digest: manifestDigest, manifest } = await this.manifestFor(ref, resolvedDigest, signal);
      if (manifestDigest !== resolvedDigest) log(`Image manifest for linux/amd64: ${manifestDigest}`);
      const existing = await this.readRecord(manifestDigest);
      if (existing) {
        log("Image already present");
        return { resolvedDigest, image: this.toImage(existing) };
      }
      const outcome = await this.unpacks.run(
        manifestDigest,
        (shared) => this.fetchAndUnpack(ref, manifestDigest, manifest, shared),
        signal,
      );
      const ms = Math.round(performance.now() - started);
      const mb = (outcome.downloadedBytes / (1024 * 1024)).toFixed(1);
      log(`Pulled ${outcome.layers} layers (${mb} MB) in ${ms} ms`);
      this.opts.logger?.("image pulled", {
        image: identifier,
        digest: manifestDigest,
        layers: outcome.layers,
        downloadedBytes: outcome.downloadedBytes,
        ms,
      });
      return { resolvedDigest, image: this.toImage(outcome.record) };
    });
  }

  /**
   * Imports a locally built image: an OCI layout (`index.json` naming one image manifest, blobs
   * under `blobs/sha256/`). Each blob the store lacks is verified against its digest and
   * hard-linked (or copied) into the store's blobs; then the image is unpacked and recorded
   * exactly as a pulled one, so `get(digest)` and `pull("<anything>@<digest>")` find it without
   * any network access. `ref` (e.g. `openrunner.local/<service>:<commit>`) is for messages.
   */
  async importLayout(
    layoutDir: string,
    ref: string,
    opts: Pick<PullOptions, "log" | "signal"> & {
      /**
       * The manifest's first `layers` layers are already unpacked at `rootfs` (a builder's runtime
       * root filesystem, on the same filesystem as the store): the image's rootfs starts as a
       * hard-linked copy of it (`cp -al`) and only the remaining layers are applied with tar,
       * instead of unpacking hundreds of MB with umoci. Falls back to umoci if linking fails.
       */
      base?: { rootfs: string; layers: number };
      /**
       * An image of this store the imported one was built FROM (a Dockerfile's base, pulled
       * here): when its layers (by diff_id) are the imported image's first ones, its rootfs is
       * the `base`, and the imported image's record names it so prune keeps it with the image.
       */
      baseImage?: string;
    } = {},
  ): Promise<PullResult> {
    const log = opts.log ?? ((): void => undefined);
    const started = performance.now();
    await this.init();
    const parsedRef = parseImageReference(ref);
    const layoutBlob = (digest: string): string => join(layoutDir, "blobs", "sha256", hexOf(digest));
    const fail = (why: string, cause?: unknown): AppRunnerError =>
      new AppRunnerError("ImagePullFailed", `Importing image ${ref} from ${layoutDir} failed: ${why}`, cause ? { cause } : undefined);
    const sha256Of = async (path: string): Promise<string> => {
      const hash = createHash("sha256");
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return `sha256:${hash.digest("hex")}`;
    };
    let index: { manifests?: Descriptor[] };
    try {
      index = JSON.parse(await readFile(join(layoutDir, "index.json"), "utf8")) as { manifests?: Descriptor[] };
    } catch (err) {
      throw fail(`index.json: ${(err as Error).message}`, err);
    }
    const entry = index.manifests?.[0];
    if (!entry || !isSha256Digest(entry.digest) || index.manifests?.length !== 1) throw fail("index.json must name exactly one manifest");
    const manifestDigest = entry.digest;
    return this.lock.shared(async () => {
      const present = await this.readRecord(manifestDigest);
      if (present) {
        log("Image already present");
        return { resolvedDigest: manifestDigest, image: this.toImage(present) };
      }
      const manifestBytes = await readFile(layoutBlob(manifestDigest));
      if (`sha256:${createHash("sha256").update(manifestBytes).digest("hex")}` !== manifestDigest) {
        throw fail(`the manifest does not match its digest ${manifestDigest}`);
      }
      const doc = parseManifest(manifestBytes, entry.mediaType, ref);
      if (doc.kind !== "manifest") throw fail("the layout names an index, not an image manifest");
      const outcome = await this.unpacks.run(
        manifestDigest,
        async (shared) => {
          for (const blob of [doc.config, ...doc.layers]) {
            if (!isSha256Digest(blob.digest)) throw fail(`invalid blob digest ${blob.digest}`);
            try {
              // Blobs in the store were verified when they arrived.
              if ((await stat(this.blobPath(blob.digest))).size === blob.size) continue;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
            }
            const from = layoutBlob(blob.digest);
            const actual = await sha256Of(from);
            if (actual !== blob.digest) throw fail(`blob ${blob.digest} has digest ${actual}`);
            const tmp = this.tmpPath(`blob-${hexOf(blob.digest).slice(0, 12)}`);
            try {
              await link(from, tmp);
            } catch (err) {
              if (!["EXDEV", "EPERM"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
              await copyFile(from, tmp);
            }
            await rename(tmp, this.blobPath(blob.digest));
          }
          await this.writeBlob(manifestDigest, manifestBytes);
          const base: { rootfs: string; layers: number; image?: string } | undefined = opts.base ?? (opts.baseImage !== undefined ? await this.baseOf(opts.baseImage, doc) : undefined);
          if (base && base.layers > 0 && base.layers <= doc.layers.length) {
            const work = this.tmpPath(`import-${hexOf(manifestDigest).slice(0, 12)}`);
            const staging = join(work, "image");
            const rootfs = join(staging, "rootfs");
            const tool = async (cmd: string, args: string[]): Promise<string> => {
              try {
                const { stdout } = await runFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, signal: shared, timeout: 10 * 60_000 });
                return stdout;
              } catch (err) {
                shared.throwIfAborted();
                const e = err as Error & { stderr?: string };
                throw fail(`${cmd} ${args.slice(0, 3).join(" ")}: ${(e.stderr ?? e.message).trim().slice(-500)}`, err);
              }
            };
            let linked = false;
            try {
              await mkdir(staging, { recursive: true });
              try {
                await tool("cp", ["-al", base.rootfs, rootfs]);
                linked = true;
              } catch (err) {
                log(`Linking the base root filesystem failed (${(err as Error).message}); unpacking every layer`);
              }
              if (linked) {
                // Layers on top: tar replaces (unlinks) files it extracts over, so the base's inodes are never written.
                for (const layer of doc.layers.slice(base.layers)) {
                  const blob = this.blobPath(layer.digest);
                  const gz = layer.mediaType.endsWith("gzip") ? ["-z"] : [];
                  const whiteouts = whiteoutsOf((await tool("tar", ["-tf", blob, ...gz])).split("\n"));
                  if (whiteouts.invalid !== undefined) throw fail(`layer ${layer.digest} has an invalid whiteout ${whiteouts.invalid}`);
                  await applyWhiteouts(rootfs, whiteouts, layer.digest);
                  await tool("tar", ["-xf", blob, ...gz, "-C", rootfs, "--numeric-owner", "--same-permissions", "--xattrs", "--exclude=.wh.*"]);
                }
                const config = parseRunConfig(await readFile(this.blobPath(doc.config.digest)), ref);
                const record: ImageRecord = {
                  manifestDigest,
                  configDigest: doc.config.digest,
                  layers: doc.layers.map((l) => l.digest),
                  config,
                  sizeBytes: await directorySize(rootfs),
                  unpackedAt: new Date().toISOString(),
                  ...(base.image !== undefined ? { baseImage: base.image } : {}),
                };
                await this.publishUnpacked(staging, record);
                if (base.image !== undefined) log(`Started from the unpacked base image ${base.image} (${base.layers} of ${doc.layers.length} layers)`);
                return { record, layers: doc.layers.length, downloadedBytes: 0 };
              }
            } finally {
              await rm(work, { recursive: true, force: true });
            }
          }
          // Every blob is present now: this only unpacks and records, nothing is downloaded.
          return this.fetchAndUnpack(parsedRef, manifestDigest, doc, shared);
        },
        opts.signal,
      );
      const ms = Math.round(performance.now() - started);
      log(`Imported ${outcome.layers} layers in ${ms} ms`);
      this.opts.logger?.("image imported", { image: ref, digest: manifestDigest, layers: outcome.layers, ms });
      return { resolvedDigest: manifestDigest, image: this.toImage(outcome.record) };
    });
  }

  /** The unpacked base image `digest` as an import's `base`, when its layers are the image's first ones. */
  private async baseOf(digest: string, doc: ImageManifest): Promise<{ rootfs: string; layers: number; image: string } | undefined> {
    const record = isSha256Digest(digest) ? await this.readRecord(digest) : undefined;
    if (!record) return undefined;
    const [baseIds, imageIds] = await Promise.all([record.configDigest, doc.config.digest].map(async (d) => diffIdsOf(await readFile(this.blobPath(d)))));
    // One diff_id per layer, or the config and the manifest disagree and nothing is assumed.
    if (!baseIds || !imageIds || baseIds.length !== record.layers.length || imageIds.length !== doc.layers.length) return undefined;
    const layers = baseLayerCount(baseIds, imageIds);
    return layers > 0 ? { rootfs: this.toImage(record).rootfs, layers, image: record.manifestDigest } : undefined;
  }

  /**
   * Makes an unpacked image visible by one rename of its staging directory, with its record:
   * readers see all of it or nothing. Another process that got there first wins; its copy is
   * as good as ours.
   */
  private async publishUnpacked(staging: string, record: ImageRecord): Promise<void> {
    await writeFile(join(staging, "image.json"), `${JSON.stringify(record, null, 2)}\n`);
    try {
      await rename(staging, this.path("unpacked", hexOf(record.manifestDigest)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
    }
  }

  async get(digest: string): Promise<UnpackedImage | undefined> {
    const record = await this.readRecord(digest);
    if (record) return this.toImage(record);
    const manifestDigest = await this.localManifestDigest(digest);
    const viaIndex = manifestDigest && manifestDigest !== digest ? await this.readRecord(manifestDigest) : undefined;
    return viaIndex ? this.toImage(viaIndex) : undefined;
  }

  /** An image manifest this store holds whole, with its blobs' files (what a push of it sends); no network. */
  storedManifest(manifestDigest: string): Promise<StoredManifest | undefined> {
    return readStoredManifest((d) => this.blobPath(d), manifestDigest);
  }

  using<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.shared(fn);
  }

  async prune(keep: () => ReadonlySet<string>): Promise<string[]> {
    await this.init();
    return this.lock.exclusive(async () => {
      // `keep` may hold what deployments recorded (index digests) as well as manifest digests.
      const keptManifests = new Set<string>();
      const keptBlobs = new Set<string>();
      for (const digest of keep()) {
        if (!isSha256Digest(digest)) continue;
        keptManifests.add(digest);
        const viaIndex = await this.localManifestDigest(digest);
        if (viaIndex && viaIndex !== digest) {
          keptManifests.add(viaIndex);
          keptBlobs.add(digest);
        }
      }
      // An image's base stays with it: its blobs and rootfs share most of the image's disk.
      const pending = [...keptManifests];
      for (let d = pending.pop(); d !== undefined; d = pending.pop()) {
        const base = (await this.readRecord(d))?.baseImage;
        if (base !== undefined && !keptManifests.has(base)) {
          keptManifests.add(base);
          pending.push(base);
        }
      }
      const removed: string[] = [];
      for (const name of await readdir(this.path("unpacked"))) {
        const digest = `sha256:${name}`;
        if (!isSha256Digest(digest)) continue;
        const record = keptManifests.has(digest) ? await this.readRecord(digest) : undefined;
        if (record) {
          for (const d of [record.manifestDigest, record.configDigest, ...record.layers]) keptBlobs.add(d);
          continue;
        }
        await rm(this.path("unpacked", name), { recursive: true, force: true });
        removed.push(digest);
      }
      for (const name of await readdir(this.path("blobs", "sha256"))) {
        if (!keptBlobs.has(`sha256:${name}`)) await rm(this.path("blobs", "sha256", name), { force: true });
      }
      // No pull runs under the exclusive lock, so everything in tmp/ is left over from a crash.
      for (const name of await readdir(this.path("tmp"))) await rm(this.path("tmp", name), { recursive: true, force: true });
      if (removed.length > 0) this.opts.logger?.("images pruned", { removed });
      return removed;
    });
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      for (const sub of [["blobs", "sha256"], ["unpacked"], ["tmp"]]) await mkdir(this.path(...sub), { recursive: true });
    })();
    return this.ready;
  }

  private path(...parts: string[]): string {
    return join(this.opts.dir, ...parts);
  }

  private blobPath(digest: string): string {
    return this.path("blobs", "sha256", hexOf(digest));
  }

  private tmpPath(label: string): string {
    return this.path("tmp", `${label}-${randomBytes(6).toString("hex")}`);
  }

  private toImage(record: ImageRecord): UnpackedImage {
    return {
      manifestDigest: record.manifestDigest,
      rootfs: this.path("unpacked", hexOf(record.manifestDigest), "rootfs"),
      config: record.config,
      sizeBytes: record.sizeBytes,
    };
  }

  private async readRecord(digest: string): Promise<ImageRecord | undefined> {
    const file = this.path("unpacked", hexOf(digest), "image.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new AppRunnerError("ImagePullFailed", `Reading ${file} failed: ${(err as Error).message}`, { cause: err });
    }
    try {
      return JSON.parse(text) as ImageRecord;
    } catch (err) {
      throw new AppRunnerError("ImagePullFailed", `The image record ${file} is corrupt; remove its directory to pull again.`, {
        cause: err,
      });
    }
  }

  /** If `digest` is an index stored locally, the digest of its linux/amd64 manifest. */
  private async localManifestDigest(digest: string): Promise<string | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    try {
      const doc = parseManifest(bytes, "", digest);
      return doc.kind === "index" ? chooseLinuxAmd64(doc, digest).digest : digest;
    } catch {
      // A layer or config blob, not a manifest: it maps to nothing.
      return undefined;
    }
  }

  /** The linux/amd64 image manifest for a manifest or index digest, stored as blobs on the way. */
  private async manifestFor(
    ref: ImageReference,
    digest: string,
    signal: AbortSignal | undefined,
    depth = 0,
  ): Promise<{ digest: string; manifest: ImageManifest }> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    let doc;
    if (bytes) {
      doc = parseManifest(bytes, "", ref.original);
    } else {
      const fetched = await this.client.fetchManifest(ref, digest, signal);
      doc = fetched.doc;
      await this.writeBlob(digest, fetched.bytes);
    }
    if (doc.kind === "manifest") return { digest, manifest: doc };
    if (depth > 0) {
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: its index nests another index.`);
    }
    const chosen = chooseLinuxAmd64(doc, ref.original);
    return this.manifestFor(ref, chosen.digest, signal, depth + 1);
  }

  private async writeBlob(digest: string, bytes: Buffer): Promise<void> {
    const tmp = this.tmpPath(`blob-${hexOf(digest).slice(0, 12)}`);
    await writeFile(tmp, bytes);
    await rename(tmp, this.blobPath(digest));
  }

  /** Downloads a blob unless present (same size); returns the bytes downloaded. */
  private async ensureBlob(ref: ImageReference, blob: Descriptor, signal: AbortSignal): Promise<number> {
    try {
      const st = await stat(this.blobPath(blob.digest));
      if (st.size === blob.size) return 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    return this.downloads.run(
      blob.digest,
      async (shared) => {
        const tmp = this.tmpPath(`blob-${hexOf(blob.digest).slice(0, 12)}`);
        const bytes = await this.client.downloadBlob(ref, blob, tmp, shared);
        await rename(tmp, this.blobPath(blob.digest));
        return bytes;
      },
      signal,
    );
  }

  private async fetchAndUnpack(
    ref: ImageReference,
    manifestDigest: string,
    manifest: ImageManifest,
    signal: AbortSignal,
  ): Promise<UnpackOutcome> {
    const blobs = [manifest.config, ...manifest.layers];
    const downloaded = await mapLimit(blobs, this.opts.downloadConcurrency ?? 3, (b) => this.ensureBlob(ref, b, signal));
    const config = parseRunConfig(await readFile(this.blobPath(manifest.config.digest)), ref.original);

    const work = this.tmpPath(`unpack-${hexOf(manifestDigest).slice(0, 12)}`);
    const staging = join(work, "image");
    try {
      await mkdir(staging, { recursive: true });
      const rootfs = join(staging, "rootfs");
      await unpackWithUmoci({
        manifest,
        blobPath: (d) => this.blobPath(d),
        layoutDir: join(work, "layout"),
        rootfs,
        signal,
        ...(this.opts.umoci ? { umoci: this.opts.umoci } : {}),
      });
      const record: ImageRecord = {
        manifestDigest,
        configDigest: manifest.config.digest,
        layers: manifest.layers.map((l) => l.digest),
        config,
        sizeBytes: await directorySize(rootfs),
        unpackedAt: new Date().toISOString(),
      };
      await this.publishUnpacked(staging, record);
      return { record, layers: manifest.layers.length, downloadedBytes: downloaded.reduce((a, b) => a + b, 0) };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
