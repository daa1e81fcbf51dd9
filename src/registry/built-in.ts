import { createReadStream } from "node:fs";
import { request } from "node:http";
import type { Clock } from "../util/clock.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { hex, type Random } from "../util/random.js";
import type { SigningKey } from "./signing-key.js";
import type { RegistryStorage } from "./storage.js";
import { signToken } from "./token.js";
import type { BuiltInRegistry, StoredImage } from "./types.js";

const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** Lifetime of a token OpenRunner mints for its own calls: one call, with room for a slow disk. */
const OWN_TOKEN_SECONDS = 120;

export interface BuiltInRegistryOptions {
  /** The front door's `host:port`. */
  address: () => string;
  accountId: string;
  region: string;
  socketPath: string;
  storage: RegistryStorage;
  signingKey: SigningKey;
  clock: Clock;
  random: Random;
  /** A manifest or repository was deleted: its blobs are for the next garbage collection. */
  deleted?: () => Promise<void>;
}

/** Pure: whether a registry host names the built-in registry (its address, or this account's ECR host). */
export function isBuiltInHost(host: string, address: string, accountId: string, region: string): boolean {
  const h = host.toLowerCase();
  return h === address.toLowerCase() || h === `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What a call sends: bytes, or a file of a known size (a layer is streamed, never read whole). */
type Body = Buffer | { path: string; size: number };

/** A blob an image names (config or layer), and where this host keeps its bytes. */
export interface BlobToPush {
  digest: string;
  size: number;
  path: string;
}

/** An image to push: its manifest as stored (the bytes its digest is of) and every blob it names. */
export interface ImageToPush {
  manifest: { mediaType: string; body: Buffer };
  blobs: BlobToPush[];
}

/**
 * Pure: the path of an upload's PUT that completes it with `digest` (monolithic upload), from
 * the Location distribution answered the POST with (absolute or not; it carries `_state`).
 */
export function uploadCompletionPath(location: string, digest: string): string {
  const url = new URL(location, "http://registry");
  url.searchParams.set("digest", digest);
  return `${url.pathname}${url.search}`;
}

interface ManifestDoc {
  mediaType?: string;
  config?: { size?: number; mediaType?: string };
  layers?: { size?: number }[];
  manifests?: { size?: number }[];
}

/** Pure: ECR's imageSizeInBytes and media types of a manifest as stored. */
export function describeManifest(body: Buffer): { sizeBytes: number; manifestMediaType: string; artifactMediaType?: string } {
  const doc = JSON.parse(body.toString("utf8")) as ManifestDoc;
  const parts = doc.manifests ?? [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])];
  const sizeBytes = parts.reduce((sum, p) => sum + (typeof p.size === "number" ? p.size : 0), 0);
  const manifestMediaType = doc.mediaType ?? (doc.manifests ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json");
  return { sizeBytes, manifestMediaType, ...(doc.config?.mediaType ? { artifactMediaType: doc.config.mediaType } : {}) };
}

/**
 * The built-in registry's contents for the ECR API: reads and deletions of manifests go
 * through the registry's own API over its socket, with a token OpenRunner mints for itself
 * (so the registry stays the one writer of its storage); what the API has no call for
 * (untagged manifests, push times, removing a tag alone, a whole repository) reads or edits
 * its storage layout (storage.ts).
 */
export class RegistryContents implements BuiltInRegistry {
  constructor(private readonly opts: BuiltInRegistryOptions) {}

  get address(): string {
    return this.opts.address();
  }

  isBuiltIn(registryHost: string): boolean {
    return isBuiltInHost(registryHost, this.address, this.opts.accountId, this.opts.region);
  }

  /** A token for OpenRunner's own calls on one repository. */
  ownToken(repository: string, actions: string[]): string {
    const issuedAtSeconds = Math.floor(this.opts.clock.now() / 1000);
    return signToken(
      { subject: "openrunner", access: [{ type: "repository", name: repository, actions }], issuedAtSeconds, expiresInSeconds: OWN_TOKEN_SECONDS, id: hex(this.opts.random, 16) },
      this.opts.signingKey.key,
      this.opts.signingKey.keyId,
    );
  }

  async listImages(repositoryName: string): Promise<StoredImage[]> {
    const [revisions, tags] = await Promise.all([this.opts.storage.revisions(repositoryName), this.opts.storage.tags(repositoryName)]);
    const out: StoredImage[] = [];
    for (const r of revisions) {
      const body = await this.opts.storage.blob(r.digest);
      if (!body) continue; // A revision whose blob is gone was garbage-collected: not an image any more.
      const tagsOf = [...tags].filter(([, d]) => d === r.digest).map(([t]) => t).sort();
      out.push({ digest: r.digest, tags: tagsOf, pushedAt: r.pushedAt, ...describeManifest(body) });
    }
    return out.sort((a, b) => a.pushedAt.getTime() - b.pushedAt.getTime());
  }

  async getManifest(repositoryName: string, reference: string): Promise<{ digest: string; mediaType: string; body: Buffer } | undefined> {
    const a = await this.call("GET", repositoryName, `manifests/${reference}`, ["pull"], { accept: MANIFEST_TYPES });
    if (a.status === 404) return undefined;
    if (a.status !== 200) throw this.failed("reading a manifest", a);
    const digest = String(a.headers["docker-content-digest"] ?? "");
    return { digest, mediaType: String(a.headers["content-type"] ?? ""), body: a.body };
  }

  /**
   * Pushes an image this host holds to `repository:tag` through the registry's own API (so the
   * registry stays the one writer of its storage): each blob it lacks is uploaded in one PUT,
   * then the manifest is put under the tag. Blobs already there are skipped, so pushing the
   * same image under another tag costs a few HEADs. Returns the manifest's digest.
   */
  async pushImage(repository: string, tag: string, image: ImageToPush): Promise<string> {
    const actions = ["pull", "push"];
    for (const blob of image.blobs) {
      const head = await this.call("HEAD", repository, `blobs/${blob.digest}`, actions);
      if (head.status === 200) continue;
      if (head.status !== 404) throw this.failed(`checking blob ${blob.digest}`, head);
      const started = await this.call("POST", repository, "blobs/uploads/", actions, { "content-length": "0" });
      const location = started.headers.location;
      if (started.status !== 202 || typeof location !== "string") throw this.failed("starting an upload", started);
      const done = await this.callPath("PUT", repository, uploadCompletionPath(location, blob.digest), actions, { "content-type": "application/octet-stream" }, { path: blob.path, size: blob.size });
      if (done.status !== 201) throw this.failed(`uploading blob ${blob.digest}`, done);
    }
    const put = await this.call("PUT", repository, `manifests/${tag}`, actions, { "content-type": image.manifest.mediaType }, image.manifest.body);
    if (put.status !== 201) throw this.failed("putting a manifest", put);
    return String(put.headers["docker-content-digest"] ?? "");
  }

  async untag(repositoryName: string, tag: string): Promise<void> {
    await this.opts.storage.untag(repositoryName, tag);
  }

  async deleteImage(repositoryName: string, digest: string): Promise<void> {
    // distribution's DELETE of a manifest also removes every tag that points at it.
    const a = await this.call("DELETE", repositoryName, `manifests/${digest}`, ["pull", "delete"]);
    if (a.status !== 202 && a.status !== 404) throw this.failed("deleting a manifest", a);
    await this.opts.deleted?.();
  }

  async deleteRepository(repositoryName: string): Promise<void> {
    await this.opts.storage.deleteRepository(repositoryName);
    await this.opts.deleted?.();
  }

  private failed(what: string, a: Answer): AppRunnerError {
    return new AppRunnerError("InternalServiceError", `The built-in registry failed ${what}: HTTP ${a.status} ${a.body.toString("utf8").slice(0, 300)}`);
  }

  private call(method: string, repository: string, path: string, actions: string[], headers: Record<string, string> = {}, body?: Body): Promise<Answer> {
    return this.callPath(method, repository, `/v2/${repository}/${path}`, actions, headers, body);
  }

  /** One call of the registry's API on `path` (under `/v2/<repository>/`), with a token for `repository`. */
  private callPath(method: string, repository: string, path: string, actions: string[], headers: Record<string, string>, body?: Body): Promise<Answer> {
    const token = this.ownToken(repository, actions);
    const length = body === undefined ? undefined : Buffer.isBuffer(body) ? body.length : body.size;
    return new Promise((done, fail) => {
      const req = request(
        {
          socketPath: this.opts.socketPath,
          method,
          path,
          headers: { ...headers, ...(length === undefined ? {} : { "content-length": String(length) }), host: this.address, authorization: `Bearer ${token}` },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", fail);
        },
      );
      req.on("timeout", () => req.destroy(new AppRunnerError("InternalServiceError", "The built-in registry did not answer within 30 s.")));
      req.on("error", fail);
      if (body === undefined || Buffer.isBuffer(body)) {
        req.end(body);
        return;
      }
      const file = createReadStream(body.path);
      file.on("error", (err) => req.destroy(err));
      file.pipe(req);
    });
  }
}
