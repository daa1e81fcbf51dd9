import type { Principal } from "../iam/sigv4/verify.js";
import type { Db } from "./database.js";

export interface AccessKeyRow {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
  createdAt: number;
}

export class AccessKeyRepository {
  /** Prepared once: every signed request looks its key up here. */
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare(`SELECT * FROM access_keys WHERE access_key_id = ?`);
  }

  insert(k: AccessKeyRow): void {
    this.db
      .prepare(`INSERT INTO access_keys (access_key_id, secret_access_key, principal, created_at) VALUES (?, ?, ?, ?)`)
      .run(k.accessKeyId, k.secretAccessKey, JSON.stringify(k.principal), k.createdAt);
  }

  get(accessKeyId: string): AccessKeyRow | undefined {
    const r = this.getStmt.get(accessKeyId) as
      | { access_key_id: string; secret_access_key: string; principal: string; created_at: number }
      | undefined;
    return r
      ? {
          accessKeyId: r.access_key_id,
          secretAccessKey: r.secret_access_key,
          principal: JSON.parse(r.principal) as Principal,
          createdAt: r.created_at,
        }
      : undefined;
  }

  first(): AccessKeyRow | undefined {
    const r = this.db.prepare(`SELECT access_key_id FROM access_keys ORDER BY created_at LIMIT 1`).get() as
      | { access_key_id: string }
      | undefined;
    return r ? this.get(r.access_key_id) : undefined;
  }
}
