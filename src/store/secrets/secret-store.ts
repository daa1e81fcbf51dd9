import type { Db } from "../database.js";

/** A secret as the store keeps it: Secrets Manager's metadata; values are its versions'. */
export interface SecretRow {
  arn: string;
  name: string;
  description: string | undefined;
  /** The KMS key as the caller named it (id, ARN, alias); undefined: the AWS managed `aws/secretsmanager`. */
  kmsKeyId: string | undefined;
  createdAt: number;
  lastChangedAt: number;
  lastAccessedAt: number | undefined;
  /** When DeleteSecret was called; undefined while the secret is not scheduled for deletion. */
  deletedAt: number | undefined;
  /** When the recovery window ends and the secret is gone for good. */
  deletionDate: number | undefined;
}

export type SecretValueType = "SecretString" | "SecretBinary";

/** One version: its value only as a KMS envelope (JSON of src/keys/envelope.ts's Envelope), never in clear. */
export interface SecretVersionRow {
  versionId: string;
  valueType: SecretValueType;
  envelope: string;
  kmsKeyArn: string;
  customerKey: boolean;
  createdAt: number;
  lastAccessedAt: number | undefined;
}

interface RawSecret {
  arn: string;
  name: string;
  description: string | null;
  kms_key_id: string | null;
  created_at: number;
  last_changed_at: number;
  last_accessed_at: number | null;
  deleted_at: number | null;
  deletion_date: number | null;
}

interface RawVersion {
  version_id: string;
  value_type: string;
  envelope: string;
  kms_key_arn: string;
  customer_key: number;
  created_at: number;
  last_accessed_at: number | null;
}

const secretOf = (r: RawSecret): SecretRow => ({
  arn: r.arn,
  name: r.name,
  description: r.description ?? undefined,
  kmsKeyId: r.kms_key_id ?? undefined,
  createdAt: r.created_at,
  lastChangedAt: r.last_changed_at,
  lastAccessedAt: r.last_accessed_at ?? undefined,
  deletedAt: r.deleted_at ?? undefined,
  deletionDate: r.deletion_date ?? undefined,
});

const versionOf = (r: RawVersion): SecretVersionRow => ({
  versionId: r.version_id,
  valueType: r.value_type === "SecretBinary" ? "SecretBinary" : "SecretString",
  envelope: r.envelope,
  kmsKeyArn: r.kms_key_arn,
  customerKey: r.customer_key !== 0,
  createdAt: r.created_at,
  lastAccessedAt: r.last_accessed_at ?? undefined,
});

/**
 * Secrets Manager's secrets of one region (tables sm_secrets, sm_secret_versions,
 * sm_version_stages). A staging label is on exactly one version of a secret (the primary key
 * says so); a version without labels is deprecated, kept until the secret has too many.
 */
export class SecretStore {
  constructor(
    private readonly db: Db,
    readonly region: string,
  ) {}

  byName(name: string): SecretRow | undefined {
    const row = this.db.prepare(`SELECT * FROM sm_secrets WHERE region = ? AND name = ?`).get(this.region, name) as RawSecret | undefined;
    return row ? secretOf(row) : undefined;
  }

  byArn(arn: string): SecretRow | undefined {
    const row = this.db.prepare(`SELECT * FROM sm_secrets WHERE region = ? AND arn = ?`).get(this.region, arn) as RawSecret | undefined;
    return row ? secretOf(row) : undefined;
  }

  /** Every secret of the region, by name. */
  list(): SecretRow[] {
    return (this.db.prepare(`SELECT * FROM sm_secrets WHERE region = ? ORDER BY name`).all(this.region) as RawSecret[]).map(secretOf);
  }

  /** False when the name is taken. */
  insert(s: Pick<SecretRow, "arn" | "name" | "description" | "kmsKeyId" | "createdAt">): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO sm_secrets (arn, region, name, description, kms_key_id, created_at, last_changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (region, name) DO NOTHING`,
      )
      .run(s.arn, this.region, s.name, s.description ?? null, s.kmsKeyId ?? null, s.createdAt, s.createdAt);
    return result.changes > 0;
  }

  update(arn: string, change: { description?: string; kmsKeyId?: string | null; changedAt: number }): void {
    if (change.description !== undefined) this.db.prepare(`UPDATE sm_secrets SET description = ? WHERE arn = ?`).run(change.description, arn);
    if (change.kmsKeyId !== undefined) this.db.prepare(`UPDATE sm_secrets SET kms_key_id = ? WHERE arn = ?`).run(change.kmsKeyId, arn);
    this.db.prepare(`UPDATE sm_secrets SET last_changed_at = ? WHERE arn = ?`).run(change.changedAt, arn);
  }

  /** Schedules the deletion (deletedAt, deletionDate), or clears it (RestoreSecret: both undefined). */
  setDeletion(arn: string, deletedAt: number | undefined, deletionDate: number | undefined, changedAt: number): void {
    this.db.prepare(`UPDATE sm_secrets SET deleted_at = ?, deletion_date = ?, last_changed_at = ? WHERE arn = ?`).run(deletedAt ?? null, deletionDate ?? null, changedAt, arn);
  }

  /** AWS keeps the day of the last access only. */
  noteAccess(arn: string, versionId: string, day: number): void {
    this.db.prepare(`UPDATE sm_secrets SET last_accessed_at = ? WHERE arn = ?`).run(day, arn);
    this.db.prepare(`UPDATE sm_secret_versions SET last_accessed_at = ? WHERE secret_arn = ? AND version_id = ?`).run(day, arn, versionId);
  }

  /** The secret, its versions and labels, gone. */
  remove(arn: string): void {
    this.db.prepare(`DELETE FROM sm_version_stages WHERE secret_arn = ?`).run(arn);
    this.db.prepare(`DELETE FROM sm_secret_versions WHERE secret_arn = ?`).run(arn);
    this.db.prepare(`DELETE FROM sm_secrets WHERE arn = ?`).run(arn);
  }

  /** Secrets whose recovery window ended by `now`, for the purge. */
  dueForDeletion(now: number): SecretRow[] {
    return (this.db.prepare(`SELECT * FROM sm_secrets WHERE region = ? AND deletion_date IS NOT NULL AND deletion_date <= ?`).all(this.region, now) as RawSecret[]).map(secretOf);
  }

  version(arn: string, versionId: string): SecretVersionRow | undefined {
    const row = this.db.prepare(`SELECT * FROM sm_secret_versions WHERE secret_arn = ? AND version_id = ?`).get(arn, versionId) as RawVersion | undefined;
    return row ? versionOf(row) : undefined;
  }

  /** Newest first. */
  versions(arn: string): SecretVersionRow[] {
    return (this.db.prepare(`SELECT * FROM sm_secret_versions WHERE secret_arn = ? ORDER BY created_at DESC, rowid DESC`).all(arn) as RawVersion[]).map(versionOf);
  }

  insertVersion(arn: string, v: Omit<SecretVersionRow, "lastAccessedAt">): void {
    this.db
      .prepare(
        `INSERT INTO sm_secret_versions (secret_arn, version_id, value_type, envelope, kms_key_arn, customer_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(arn, v.versionId, v.valueType, v.envelope, v.kmsKeyArn, v.customerKey ? 1 : 0, v.createdAt);
  }

  /** A version's value sealed again (its key changed). */
  resealVersion(arn: string, versionId: string, envelope: string, kmsKeyArn: string, customerKey: boolean): void {
    this.db
      .prepare(`UPDATE sm_secret_versions SET envelope = ?, kms_key_arn = ?, customer_key = ? WHERE secret_arn = ? AND version_id = ?`)
      .run(envelope, kmsKeyArn, customerKey ? 1 : 0, arn, versionId);
  }

  removeVersion(arn: string, versionId: string): void {
    this.db.prepare(`DELETE FROM sm_secret_versions WHERE secret_arn = ? AND version_id = ?`).run(arn, versionId);
  }

  /** Label -> version id. */
  stages(arn: string): Map<string, string> {
    const rows = this.db.prepare(`SELECT stage, version_id FROM sm_version_stages WHERE secret_arn = ? ORDER BY stage`).all(arn) as { stage: string; version_id: string }[];
    return new Map(rows.map((r) => [r.stage, r.version_id]));
  }

  /** Replaces every label of the secret with `stages` (label -> version id). */
  setStages(arn: string, stages: ReadonlyMap<string, string>): void {
    this.db.prepare(`DELETE FROM sm_version_stages WHERE secret_arn = ?`).run(arn);
    const put = this.db.prepare(`INSERT INTO sm_version_stages (secret_arn, stage, version_id) VALUES (?, ?, ?)`);
    for (const [stage, versionId] of stages) put.run(arn, stage, versionId);
  }
}
