import type { Db } from "../database.js";
import type { IamRevision } from "./revision.js";

export interface ManagedPolicyRow {
  arn: string;
  /** ANPA… */
  id: string;
  name: string;
  path: string;
  /** AWS managed (`arn:aws:iam::aws:policy/…`): nobody may change or delete it. */
  awsManaged: boolean;
  description?: string;
  defaultVersion: string;
  /** The number the next version gets (v1, v2, … are never reused). */
  nextVersion: number;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface PolicyVersionRow {
  versionId: string;
  document: string;
  createdAt: number;
}

interface Raw {
  arn: string;
  id: string;
  name: string;
  path: string;
  aws_managed: number;
  description: string | null;
  default_version: string;
  next_version: number;
  created_at: number;
  updated_at: number;
}

const rowOf = (r: Raw): ManagedPolicyRow => ({
  arn: r.arn,
  id: r.id,
  name: r.name,
  path: r.path,
  awsManaged: r.aws_managed === 1,
  ...(r.description !== null ? { description: r.description } : {}),
  defaultVersion: r.default_version,
  nextVersion: r.next_version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Managed policies, their versions and where they are attached (by the user's, group's or role's unique id). */
export class ManagedPolicyRepository {
  constructor(
    private readonly db: Db,
    private readonly revision: IamRevision,
  ) {}

  insert(p: ManagedPolicyRow, firstDocument: string): void {
    this.db
      .prepare(
        `INSERT INTO iam_policies (arn, id, name, path, aws_managed, description, default_version, next_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.arn, p.id, p.name, p.path, p.awsManaged ? 1 : 0, p.description ?? null, p.defaultVersion, p.nextVersion, p.createdAt, p.updatedAt);
    this.putVersion(p.arn, { versionId: p.defaultVersion, document: firstDocument, createdAt: p.createdAt });
  }

  get(arn: string): ManagedPolicyRow | undefined {
    const r = this.db.prepare(`SELECT * FROM iam_policies WHERE arn = ?`).get(arn) as Raw | undefined;
    return r && rowOf(r);
  }

  /** A customer managed policy's name is unique in the account whatever its path and case. */
  customerPolicyNamed(name: string): ManagedPolicyRow | undefined {
    const r = this.db.prepare(`SELECT * FROM iam_policies WHERE aws_managed = 0 AND name = ? COLLATE NOCASE`).get(name) as Raw | undefined;
    return r && rowOf(r);
  }

  list(): ManagedPolicyRow[] {
    return (this.db.prepare(`SELECT * FROM iam_policies ORDER BY name COLLATE NOCASE`).all() as Raw[]).map(rowOf);
  }

  update(p: ManagedPolicyRow): void {
    this.db
      .prepare(`UPDATE iam_policies SET default_version = ?, next_version = ?, updated_at = ?, description = ? WHERE arn = ?`)
      .run(p.defaultVersion, p.nextVersion, p.updatedAt, p.description ?? null, p.arn);
    this.revision.bump();
  }

  /** The policy and its versions; the caller has checked it is attached nowhere. */
  delete(arn: string): void {
    this.db.prepare(`DELETE FROM iam_policy_versions WHERE policy_arn = ?`).run(arn);
    this.db.prepare(`DELETE FROM iam_policies WHERE arn = ?`).run(arn);
    this.revision.bump();
  }

  putVersion(arn: string, v: PolicyVersionRow): void {
    this.db
      .prepare(`INSERT INTO iam_policy_versions (policy_arn, version_id, document, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (policy_arn, version_id) DO UPDATE SET document = excluded.document`)
      .run(arn, v.versionId, v.document, v.createdAt);
    this.revision.bump();
  }

  version(arn: string, versionId: string): PolicyVersionRow | undefined {
    return this.db
      .prepare(`SELECT version_id AS versionId, document, created_at AS createdAt FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?`)
      .get(arn, versionId) as PolicyVersionRow | undefined;
  }

  /** Newest first, as IAM lists them. */
  versions(arn: string): PolicyVersionRow[] {
    const rows = this.db
      .prepare(`SELECT version_id AS versionId, document, created_at AS createdAt FROM iam_policy_versions WHERE policy_arn = ?`)
      .all(arn) as PolicyVersionRow[];
    return rows.sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
  }

  deleteVersion(arn: string, versionId: string): void {
    this.db.prepare(`DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?`).run(arn, versionId);
    this.revision.bump();
  }

  attach(entityId: string, arn: string): void {
    this.db.prepare(`INSERT OR IGNORE INTO iam_attachments (entity_id, policy_arn) VALUES (?, ?)`).run(entityId, arn);
    this.revision.bump();
  }

  detach(entityId: string, arn: string): boolean {
    const n = this.db.prepare(`DELETE FROM iam_attachments WHERE entity_id = ? AND policy_arn = ?`).run(entityId, arn).changes;
    this.revision.bump();
    return n > 0;
  }

  /** The ARNs of the managed policies attached to an entity. */
  attachedTo(entityId: string): string[] {
    return (this.db.prepare(`SELECT policy_arn FROM iam_attachments WHERE entity_id = ? ORDER BY policy_arn`).all(entityId) as { policy_arn: string }[]).map((r) => r.policy_arn);
  }

  /** The unique ids of the entities a policy is attached to. */
  attachedEntities(arn: string): string[] {
    return (this.db.prepare(`SELECT entity_id FROM iam_attachments WHERE policy_arn = ?`).all(arn) as { entity_id: string }[]).map((r) => r.entity_id);
  }

  attachmentCount(arn: string): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM iam_attachments WHERE policy_arn = ?`).get(arn) as { n: number }).n;
  }
}
