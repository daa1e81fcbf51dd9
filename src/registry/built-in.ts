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

  async untag(repositoryName: string, tag: string): Promise<void> {
    await this.opts.storage.untag(repositoryName, tag);
  }

  async deleteImage(repositoryName: string, digest: string): Promise<void> {
    // distribution's DELETE of a manifest also removes every tag that points at it.
    const a = await this.call("DELETE", repositoryName, `manifests/${digest}`, ["pull", "delete"]);
    if (a.status !== 202 && a.status !== 404) throw this.failed("deleting a manifest", a);
  }

  async deleteRepository(repositoryName: string): Promise<void> {
    await this.opts.storage.deleteRepository(repositoryName);
  }

  private failed(what: string, a: Answer): AppRunnerError {
    return new AppRunnerError("InternalServiceError", `The built-in registry failed ${what}: HTTP ${a.status} ${a.body.toString("utf8").slice(0, 300)}`);
  }

  private call(method: string, repository: string, path: string, actions: string[], headers: Record<string, string> = {}): Promise<Answer> {
    const token = this.ownToken(repository, actions);
    return new Promise((done, fail) => {
      const req = request(
        {
          socketPath: this.opts.socketPath,
          method,
          path: `/v2/${repository}/${path}`,
          headers: { ...headers, host: this.address, authorization: `Bearer ${token}` },
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
      req.end();
    });
  }
}
