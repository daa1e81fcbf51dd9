import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";

/**
 * Reads of distribution's filesystem storage (`<root>/docker/registry/v2/`) for what its API
 * has no call for: every manifest of a repository tagged or not (the API lists only tags),
 * when each was pushed (the revision link's mtime: written once, at the push), and removing
 * a tag alone (the API's DELETE removes a manifest with all its tags). The layout is stable
 * across distribution 2.x:
 *   repositories/<name>/_manifests/revisions/sha256/<hex>/link   one per manifest pushed
 *   repositories/<name>/_manifests/tags/<tag>/current/link       the digest the tag names
 *   blobs/sha256/<hex[0:2]>/<hex>/data                            every blob, manifests included
 */
export class RegistryStorage {
  constructor(private readonly root: string) {}

  private v2(...parts: string[]): string {
    return join(this.root, "docker", "registry", "v2", ...parts);
  }

  private repository(name: string, ...parts: string[]): string {
    if (!REPOSITORY_NAME.test(name)) throw new AppRunnerError("InvalidRequest", `Invalid repository name "${name}".`);
    return this.v2("repositories", name, ...parts);
  }

  /** Whether `tag` exists in the repository now (the immutability check before a manifest put). */
  tagExists(name: string, tag: string): boolean {
    if (!TAG.test(tag) || !REPOSITORY_NAME.test(name)) return false;
    return existsSync(this.repository(name, "_manifests", "tags", tag, "current", "link"));
  }

  /** Every manifest of the repository with when it was pushed; empty when nothing was. */
  async revisions(name: string): Promise<{ digest: string; pushedAt: Date }[]> {
    const dir = this.repository(name, "_manifests", "revisions", "sha256");
    const out: { digest: string; pushedAt: Date }[] = [];
    for (const hex of await listOrEmpty(dir)) {
      // A manifest deleted through the API loses its link but may keep its directory.
      const link = await stat(join(dir, hex, "link")).catch(() => undefined);
      if (link && /^[0-9a-f]{64}$/.test(hex)) out.push({ digest: `sha256:${hex}`, pushedAt: link.mtime });
    }
    return out;
  }

  /** Tag -> digest, for every tag of the repository. */
  async tags(name: string): Promise<Map<string, string>> {
    const dir = this.repository(name, "_manifests", "tags");
    const out = new Map<string, string>();
    for (const tag of await listOrEmpty(dir)) {
      const digest = await readFile(join(dir, tag, "current", "link"), "utf8").catch(() => undefined);
      if (digest) out.set(tag, digest.trim());
    }
    return out;
  }

  /** The bytes of a blob (a manifest or config), undefined when it is not stored. */
  async blob(digest: string): Promise<Buffer | undefined> {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
    if (!hex) return undefined;
    return readFile(this.v2("blobs", "sha256", hex.slice(0, 2), hex, "data")).catch(() => undefined);
  }

  /** Removes a tag only; its manifest stays under its digest and any other tags. */
  async untag(name: string, tag: string): Promise<void> {
    if (!TAG.test(tag)) throw new AppRunnerError("InvalidRequest", `Invalid image tag "${tag}".`);
    await rm(this.repository(name, "_manifests", "tags", tag), { recursive: true, force: true });
  }

  /**
   * Removes the repository's links (tags, manifests, layer links, uploads). Blobs stay in the
   * shared blob store until a garbage collection: distribution has no API to delete a
   * repository, and its GC must run with the registry stopped.
   */
  async deleteRepository(name: string): Promise<void> {
    await rm(this.repository(name), { recursive: true, force: true });
  }
}

export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export const TAG = /^[\w][\w.-]{0,127}$/;

async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}
