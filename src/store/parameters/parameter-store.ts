import type { SealedSecret, SecretBox } from "../../iam/secret-box.js";
import type { Db } from "../database.js";

/**
 * A version's value as kept: a String or StringList sealed with the store's box (bound to the
 * parameter's name and version), a SecureString as a KMS envelope (keys/envelope.ts's, opaque
 * to the store: it sits below keys/). Never in clear.
 */
export type StoredValue = { sealed: SealedSecret } | { envelope: Readonly<Record<string, string>> };

/** One version of a parameter, with the settings it was put with. */
export interface ParameterVersionRow {
  name: string;
  version: number;
  type: string;
  keyId: string | undefined;
  description: string | undefined;
  allowedPattern: string | undefined;
  tier: string;
  dataType: string;
  value: StoredValue;
  modifiedAt: number;
  modifiedUser: string;
}

interface RawRow {
  name: string;
  version: number;
  type: string;
  key_id: string | null;
  description: string | null;
  allowed_pattern: string | null;
  tier: string;
  data_type: string;
  value: string;
  modified_at: number;
  modified_user: string;
}

const fromRaw = (r: RawRow): ParameterVersionRow => ({
  name: r.name,
  version: r.version,
  type: r.type,
  keyId: r.key_id ?? undefined,
  description: r.description ?? undefined,
  allowedPattern: r.allowed_pattern ?? undefined,
  tier: r.tier,
  dataType: r.data_type,
  value: JSON.parse(r.value) as StoredValue,
  modifiedAt: r.modified_at,
  modifiedUser: r.modified_user,
});

const sealContext = (name: string, version: number): string => `ssm-parameter:${name}:${version}`;

/**
 * Parameter Store's parameters (tables ssm_parameters, ssm_parameter_versions,
 * ssm_parameter_labels). Writes that belong together run in the caller's transaction (Store.tx).
 */
export class ParameterRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** A String or StringList value as kept: sealed, a copy onto another row or version does not open. */
  sealPlain(value: string, name: string, version: number): StoredValue {
    return { sealed: this.box.seal(value, sealContext(name, version)) };
  }

  openPlain(sealed: SealedSecret, name: string, version: number): string {
    return this.box.open(sealed, sealContext(name, version));
  }

  latest(name: string): ParameterVersionRow | undefined {
    const row = this.db
      .prepare(`SELECT v.* FROM ssm_parameters p JOIN ssm_parameter_versions v ON v.name = p.name AND v.version = p.latest WHERE p.name = ?`)
      .get(name) as RawRow | undefined;
    return row ? fromRaw(row) : undefined;
  }

  version(name: string, version: number): ParameterVersionRow | undefined {
    const row = this.db.prepare(`SELECT * FROM ssm_parameter_versions WHERE name = ? AND version = ?`).get(name, version) as RawRow | undefined;
    return row ? fromRaw(row) : undefined;
  }

  /** Every kept version of a parameter, oldest first. */
  versions(name: string): ParameterVersionRow[] {
    return (this.db.prepare(`SELECT * FROM ssm_parameter_versions WHERE name = ? ORDER BY version`).all(name) as RawRow[]).map(fromRaw);
  }

  versionNumbers(name: string): number[] {
    return (this.db.prepare(`SELECT version FROM ssm_parameter_versions WHERE name = ? ORDER BY version`).all(name) as { version: number }[]).map((r) => r.version);
  }

  /** Every parameter's latest version, by name. */
  allLatest(): ParameterVersionRow[] {
    const rows = this.db
      .prepare(`SELECT v.* FROM ssm_parameters p JOIN ssm_parameter_versions v ON v.name = p.name AND v.version = p.latest ORDER BY p.name`)
      .all() as RawRow[];
    return rows.map(fromRaw);
  }

  /** A parameter's labels: label -> the version it names. */
  labels(name: string): Map<string, number> {
    const rows = this.db.prepare(`SELECT label, version FROM ssm_parameter_labels WHERE name = ?`).all(name) as { label: string; version: number }[];
    return new Map(rows.map((r) => [r.label, r.version]));
  }

  /** Every parameter's labels, for listings that filter on them. */
  allLabels(): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const r of this.db.prepare(`SELECT name, label, version FROM ssm_parameter_labels`).all() as { name: string; label: string; version: number }[]) {
      const m = out.get(r.name) ?? new Map<string, number>();
      m.set(r.label, r.version);
      out.set(r.name, m);
    }
    return out;
  }

  /** Records a new latest version; `drop` is a version pushed out of the history (never a labelled one). */
  putVersion(row: ParameterVersionRow, drop?: number): void {
    this.db
      .prepare(
        `INSERT INTO ssm_parameter_versions (name, version, type, key_id, description, allowed_pattern, tier, data_type, value, modified_at, modified_user)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.name,
        row.version,
        row.type,
        row.keyId ?? null,
        row.description ?? null,
        row.allowedPattern ?? null,
        row.tier,
        row.dataType,
        JSON.stringify(row.value),
        row.modifiedAt,
        row.modifiedUser,
      );
    this.db
      .prepare(`INSERT INTO ssm_parameters (name, latest) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET latest = excluded.latest`)
      .run(row.name, row.version);
    if (drop !== undefined) this.db.prepare(`DELETE FROM ssm_parameter_versions WHERE name = ? AND version = ?`).run(row.name, drop);
  }

  /** Points each label at `version` (moving it from another version if there). */
  attachLabels(name: string, version: number, labels: readonly string[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO ssm_parameter_labels (name, label, version) VALUES (?, ?, ?) ON CONFLICT (name, label) DO UPDATE SET version = excluded.version`,
    );
    for (const l of labels) stmt.run(name, l, version);
  }

  removeLabels(name: string, labels: readonly string[]): void {
    const stmt = this.db.prepare(`DELETE FROM ssm_parameter_labels WHERE name = ? AND label = ?`);
    for (const l of labels) stmt.run(name, l);
  }

  /** False when there was no such parameter. */
  delete(name: string): boolean {
    const gone = this.db.prepare(`DELETE FROM ssm_parameters WHERE name = ?`).run(name).changes > 0;
    this.db.prepare(`DELETE FROM ssm_parameter_versions WHERE name = ?`).run(name);
    this.db.prepare(`DELETE FROM ssm_parameter_labels WHERE name = ?`).run(name);
    return gone;
  }
}
