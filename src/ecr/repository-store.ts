import type { Store } from "../store/store.js";
import type { RepositoryDirectory, TagMutability } from "../registry/types.js";

export type EncryptionType = "AES256" | "KMS" | "KMS_DSSE";

export interface EncryptionSettings {
  encryptionType: EncryptionType;
  kmsKey?: string;
}

/** A repository as the store keeps it: ECR's settings; the images are the registry's. */
export interface RepositoryRow {
  region: string;
  name: string;
  createdAt: number;
  tagMutability: TagMutability;
  scanOnPush: boolean;
  encryption: EncryptionSettings;
  lifecyclePolicy: string | undefined;
  lifecycleEvaluatedAt: number | undefined;
  /** The policy of the last StartLifecyclePolicyPreview and when it was started. */
  preview: { policy: string; at: number } | undefined;
}

interface RawRow {
  region: string;
  name: string;
  created_at: number;
  tag_mutability: string;
  scan_on_push: number;
  encryption: string;
  lifecycle_policy: string | null;
  lifecycle_evaluated_at: number | null;
  lifecycle_preview_policy: string | null;
  lifecycle_preview_at: number | null;
}

const fromRaw = (r: RawRow): RepositoryRow => ({
  region: r.region,
  name: r.name,
  createdAt: r.created_at,
  tagMutability: r.tag_mutability === "IMMUTABLE" ? "IMMUTABLE" : "MUTABLE",
  scanOnPush: r.scan_on_push !== 0,
  encryption: JSON.parse(r.encryption) as EncryptionSettings,
  lifecyclePolicy: r.lifecycle_policy ?? undefined,
  lifecycleEvaluatedAt: r.lifecycle_evaluated_at ?? undefined,
  preview: r.lifecycle_preview_policy !== null && r.lifecycle_preview_at !== null ? { policy: r.lifecycle_preview_policy, at: r.lifecycle_preview_at } : undefined,
});

/**
 * ECR's repositories of one region in the control-plane store (table ecr_repositories), and
 * the registry's view of them (RepositoryDirectory): a push to a repository not created here
 * is refused, and an IMMUTABLE one refuses a re-push of a tag.
 */
export class RepositoryStore implements RepositoryDirectory {
  constructor(
    private readonly store: Store,
    readonly region: string,
  ) {}

  get(name: string): RepositoryRow | undefined {
    const row = this.store.db.prepare(`SELECT * FROM ecr_repositories WHERE region = ? AND name = ?`).get(this.region, name) as RawRow | undefined;
    return row ? fromRaw(row) : undefined;
  }

  find(repositoryName: string): { tagMutability: TagMutability } | undefined {
    const row = this.get(repositoryName);
    return row ? { tagMutability: row.tagMutability } : undefined;
  }

  /** Every repository of the region, by name. */
  list(): RepositoryRow[] {
    const rows = this.store.db.prepare(`SELECT * FROM ecr_repositories WHERE region = ? ORDER BY name`).all(this.region) as RawRow[];
    return rows.map(fromRaw);
  }

  count(): number {
    return (this.store.db.prepare(`SELECT COUNT(*) AS n FROM ecr_repositories WHERE region = ?`).get(this.region) as { n: number }).n;
  }

  /** False when the name is taken. */
  insert(r: Omit<RepositoryRow, "region" | "lifecyclePolicy" | "lifecycleEvaluatedAt" | "preview">): boolean {
    const result = this.store.db
      .prepare(
        `INSERT INTO ecr_repositories (region, name, created_at, tag_mutability, scan_on_push, encryption)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (region, name) DO NOTHING`,
      )
      .run(this.region, r.name, r.createdAt, r.tagMutability, r.scanOnPush ? 1 : 0, JSON.stringify(r.encryption));
    return result.changes > 0;
  }

  delete(name: string): void {
    this.store.db.prepare(`DELETE FROM ecr_repositories WHERE region = ? AND name = ?`).run(this.region, name);
  }

  setTagMutability(name: string, value: TagMutability): void {
    this.store.db.prepare(`UPDATE ecr_repositories SET tag_mutability = ? WHERE region = ? AND name = ?`).run(value, this.region, name);
  }

  /** A new policy has not been evaluated yet; undefined removes it. */
  setLifecyclePolicy(name: string, policy: string | undefined): void {
    this.store.db
      .prepare(`UPDATE ecr_repositories SET lifecycle_policy = ?, lifecycle_evaluated_at = NULL WHERE region = ? AND name = ?`)
      .run(policy ?? null, this.region, name);
  }

  setLifecyclePreview(name: string, policy: string, at: number): void {
    this.store.db
      .prepare(`UPDATE ecr_repositories SET lifecycle_preview_policy = ?, lifecycle_preview_at = ? WHERE region = ? AND name = ?`)
      .run(policy, at, this.region, name);
  }

  markLifecycleEvaluated(name: string, at: number): void {
    this.store.db.prepare(`UPDATE ecr_repositories SET lifecycle_evaluated_at = ? WHERE region = ? AND name = ?`).run(at, this.region, name);
  }

  /** Repositories with a lifecycle policy, for the sweep. */
  withLifecyclePolicy(): RepositoryRow[] {
    const rows = this.store.db
      .prepare(`SELECT * FROM ecr_repositories WHERE region = ? AND lifecycle_policy IS NOT NULL ORDER BY name`)
      .all(this.region) as RawRow[];
    return rows.map(fromRaw);
  }
}
