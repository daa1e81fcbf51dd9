import type { SealedSecret } from "../../iam/secret-box.js";
import type { Db } from "../database.js";

/** A KMS key as stored: its 32 bytes of material only sealed (under the master key, the key's ARN as context). */
export interface KeyRow {
  keyId: string;
  arn: string;
  manager: "AWS" | "CUSTOMER";
  description: string;
  keyUsage: string;
  keySpec: string;
  state: "Enabled" | "Disabled" | "PendingDeletion";
  material: SealedSecret;
  policy: string;
  createdAt: number;
  /** PendingDeletion: when the sweep deletes it for good (ms since the epoch). */
  deletionDate: number | null;
  pendingWindowDays: number | null;
}

export interface AliasRow {
  /** `alias/<name>`, as KMS names it in AliasName. */
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

interface KeyColumns {
  key_id: string;
  arn: string;
  manager: string;
  description: string;
  key_usage: string;
  key_spec: string;
  state: string;
  material: string;
  policy: string;
  created_at: number;
  deletion_date: number | null;
  pending_window_days: number | null;
}

const keyOf = (r: KeyColumns): KeyRow => ({
  keyId: r.key_id,
  arn: r.arn,
  manager: r.manager as KeyRow["manager"],
  description: r.description,
  keyUsage: r.key_usage,
  keySpec: r.key_spec,
  state: r.state as KeyRow["state"],
  material: JSON.parse(r.material) as SealedSecret,
  policy: r.policy,
  createdAt: r.created_at,
  deletionDate: r.deletion_date,
  pendingWindowDays: r.pending_window_days,
});

const aliasOf = (r: { name: string; key_id: string; created_at: number; updated_at: number }): AliasRow => ({
  name: r.name,
  keyId: r.key_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** KMS's keys and aliases in the control plane's database (tables `kms_keys`, `kms_aliases`). */
export class KmsStore {
  constructor(private readonly db: Db) {}

  insertKey(k: KeyRow): void {
    this.db
      .prepare(
        `INSERT INTO kms_keys (key_id, arn, manager, description, key_usage, key_spec, state, material, policy, created_at, deletion_date, pending_window_days)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(k.keyId, k.arn, k.manager, k.description, k.keyUsage, k.keySpec, k.state, JSON.stringify(k.material), k.policy, k.createdAt, k.deletionDate, k.pendingWindowDays);
  }

  key(keyId: string): KeyRow | undefined {
    const r = this.db.prepare(`SELECT * FROM kms_keys WHERE key_id = ?`).get(keyId) as KeyColumns | undefined;
    return r ? keyOf(r) : undefined;
  }

  /** Every key, by key id (ListKeys pages over them in this order). */
  keys(): KeyRow[] {
    return (this.db.prepare(`SELECT * FROM kms_keys ORDER BY key_id`).all() as KeyColumns[]).map(keyOf);
  }

  setState(keyId: string, state: KeyRow["state"], deletion: { date: number; windowDays: number } | null): void {
    this.db
      .prepare(`UPDATE kms_keys SET state = ?, deletion_date = ?, pending_window_days = ? WHERE key_id = ?`)
      .run(state, deletion?.date ?? null, deletion?.windowDays ?? null, keyId);
  }

  setPolicy(keyId: string, policy: string): void {
    this.db.prepare(`UPDATE kms_keys SET policy = ? WHERE key_id = ?`).run(policy, keyId);
  }

  /** Keys whose deletion date has come (the sweep deletes them). */
  dueForDeletion(now: number): KeyRow[] {
    return (this.db.prepare(`SELECT * FROM kms_keys WHERE state = 'PendingDeletion' AND deletion_date <= ?`).all(now) as KeyColumns[]).map(keyOf);
  }

  /** The key and its aliases, for good: its ciphertexts never open again. */
  deleteKey(keyId: string): void {
    this.db.prepare(`DELETE FROM kms_aliases WHERE key_id = ?`).run(keyId);
    this.db.prepare(`DELETE FROM kms_keys WHERE key_id = ?`).run(keyId);
  }

  alias(name: string): AliasRow | undefined {
    const r = this.db.prepare(`SELECT * FROM kms_aliases WHERE name = ?`).get(name) as Parameters<typeof aliasOf>[0] | undefined;
    return r ? aliasOf(r) : undefined;
  }

  aliases(keyId?: string): AliasRow[] {
    const rows = (
      keyId === undefined
        ? this.db.prepare(`SELECT * FROM kms_aliases ORDER BY name`).all()
        : this.db.prepare(`SELECT * FROM kms_aliases WHERE key_id = ? ORDER BY name`).all(keyId)
    ) as Parameters<typeof aliasOf>[0][];
    return rows.map(aliasOf);
  }

  /** False when the name is taken. */
  insertAlias(a: AliasRow): boolean {
    const r = this.db.prepare(`INSERT INTO kms_aliases (name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`).run(a.name, a.keyId, a.createdAt, a.updatedAt);
    return r.changes === 1;
  }

  pointAlias(name: string, keyId: string, now: number): void {
    this.db.prepare(`UPDATE kms_aliases SET key_id = ?, updated_at = ? WHERE name = ?`).run(keyId, now, name);
  }

  deleteAlias(name: string): void {
    this.db.prepare(`DELETE FROM kms_aliases WHERE name = ?`).run(name);
  }
}
