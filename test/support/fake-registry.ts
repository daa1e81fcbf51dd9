import { createHash } from "node:crypto";
import type { BuiltInRegistry, RegistryPasswords, RegistryPrincipal, StoredImage } from "../../src/registry/types.js";

/** What a fake push stores: a manifest body and when it was pushed. */
export interface FakePush {
  tag?: string;
  pushedAt: Date;
  /** Makes the digest differ between otherwise equal pushes. */
  content?: string;
  sizeBytes?: number;
}

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;

interface Stored {
  digest: string;
  tags: Set<string>;
  pushedAt: Date;
  sizeBytes: number;
  body: Buffer;
}

/**
 * An in-memory built-in registry and password issuer for tests of the ECR API alone (the real
 * one is a supervised CNCF distribution; this keeps only what the contract promises): a push
 * moves its tag, a tag names one manifest, deleting a manifest drops its tags.
 */
export class FakeRegistry implements BuiltInRegistry, RegistryPasswords {
  readonly address: string;
  private readonly repos = new Map<string, Map<string, Stored>>();
  readonly issued: { principal: RegistryPrincipal; password: string; expiresAt: Date }[] = [];
  /** While set, every read of the registry fails with it (the registry process down). */
  failing: Error | undefined;

  constructor(address = "127.0.0.1:8601", private readonly ecrHost = "") {
    this.address = address;
  }

  isBuiltIn(registryHost: string): boolean {
    return registryHost === this.address || registryHost === this.ecrHost;
  }

  /** A push of a manifest (tagged or not); returns its digest. */
  push(repository: string, p: FakePush): string {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_TYPE, config: { mediaType: CONFIG_TYPE }, note: p.content ?? `${repository}:${p.tag ?? ""}:${p.pushedAt.toISOString()}` }));
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const images = this.repos.get(repository) ?? new Map<string, Stored>();
    this.repos.set(repository, images);
    if (p.tag !== undefined) for (const other of images.values()) other.tags.delete(p.tag);
    const existing = images.get(digest);
    const image = existing ?? { digest, tags: new Set<string>(), pushedAt: p.pushedAt, sizeBytes: p.sizeBytes ?? body.length * 1000, body };
    if (p.tag !== undefined) image.tags.add(p.tag);
    images.set(digest, image);
    return digest;
  }

  listImages(repositoryName: string): Promise<StoredImage[]> {
    if (this.failing) return Promise.reject(this.failing);
    const images = [...(this.repos.get(repositoryName)?.values() ?? [])];
    return Promise.resolve(
      images.map((i) => ({
        digest: i.digest,
        tags: [...i.tags].sort(),
        pushedAt: i.pushedAt,
        sizeBytes: i.sizeBytes,
        manifestMediaType: MANIFEST_TYPE,
        artifactMediaType: CONFIG_TYPE,
      })),
    );
  }

  getManifest(repositoryName: string, reference: string): Promise<{ digest: string; mediaType: string; body: Buffer } | undefined> {
    if (this.failing) return Promise.reject(this.failing);
    const images = [...(this.repos.get(repositoryName)?.values() ?? [])];
    const found = images.find((i) => i.digest === reference || i.tags.has(reference));
    return Promise.resolve(found ? { digest: found.digest, mediaType: MANIFEST_TYPE, body: found.body } : undefined);
  }

  untag(repositoryName: string, tag: string): Promise<void> {
    for (const i of this.repos.get(repositoryName)?.values() ?? []) i.tags.delete(tag);
    return Promise.resolve();
  }

  deleteImage(repositoryName: string, digest: string): Promise<void> {
    this.repos.get(repositoryName)?.delete(digest);
    return Promise.resolve();
  }

  deleteRepository(repositoryName: string): Promise<void> {
    this.repos.delete(repositoryName);
    return Promise.resolve();
  }

  issue(principal: RegistryPrincipal, now: Date): { password: string; expiresAt: Date } {
    const password = createHash("sha256").update(`${principal.accessKeyId}:${now.getTime()}:${this.issued.length}`).digest("hex");
    const expiresAt = new Date(now.getTime() + TWELVE_HOURS_MS);
    this.issued.push({ principal, password, expiresAt });
    return { password, expiresAt };
  }
}
