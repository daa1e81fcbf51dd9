import type { SealedSecret, SecretBox } from "../iam/secret-box.js";
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
  /**
   * Keys found, by id. Access keys are never changed or removed today, so a hit stays true;
   * misses are not kept, so a key another process adds is seen at once. Key deletion (IAM)
   * must evict here.
   */
  private readonly found = new Map<string, AccessKeyRow>();

  /**
   * Secret keys are stored sealed (SigV4 needs the secret itself, so a hash would not do),
   * bound to their key id: reading the database does not give them away.
   */
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    this.getStmt = db.prepare(`SELECT * FROM access_keys WHERE access_key_id = ?`);
  }

  insert(k: AccessKeyRow): void {
    this.db
      .prepare(`INSERT INTO access_keys (access_key_id, secret_access_key, principal, created_at) VALUES (?, ?, ?, ?)`)
      .run(k.accessKeyId, this.sealed(k.accessKeyId, k.secretAccessKey), JSON.stringify(k.principal), k.createdAt);
  }

  /** Seals keys stored in clear by versions before sealing; how many it sealed. */
  sealClearSecrets(): number {
    const rows = this.db.prepare(`SELECT access_key_id, secret_access_key FROM access_keys`).all() as {
      access_key_id: string;
      secret_access_key: string;
    }[];
    const update = this.db.prepare(`UPDATE access_keys SET secret_access_key = ? WHERE access_key_id = ?`);
    let n = 0;
    for (const r of rows) {
      if (isSealedText(r.secret_access_key)) continue;
      update.run(this.sealed(r.access_key_id, r.secret_access_key), r.access_key_id);
      n++;
    }
    return n;
  }

  private sealed(accessKeyId: string, secret: string): string {
    return JSON.stringify(this.box.seal(secret, accessKeyContext(accessKeyId)));
  }

  get(accessKeyId: string): AccessKeyRow | undefined {
    const known = this.found.get(accessKeyId);
    if (known) return known;
    const r = this.getStmt.get(accessKeyId) as
      | { access_key_id: string; secret_access_key: string; principal: string; created_at: number }
      | undefined;
    if (!r) return undefined;
    const row: AccessKeyRow = {
      accessKeyId: r.access_key_id,
      secretAccessKey: this.box.open(JSON.parse(r.secret_access_key) as SealedSecret, accessKeyContext(r.access_key_id)),
      principal: JSON.parse(r.principal) as Principal,
      createdAt: r.created_at,
    };
    this.found.set(accessKeyId, row);
    return row;
  }

  first(): AccessKeyRow | undefined {
    const r = this.db.prepare(`SELECT access_key_id FROM access_keys ORDER BY created_at LIMIT 1`).get() as
      | { access_key_id: string }
      | undefined;
    return r ? this.get(r.access_key_id) : undefined;
  }
}

const accessKeyContext = (accessKeyId: string): string => `access-key:${accessKeyId}`;

/** AWS secret keys are base64-like text; a sealed one is a JSON object. */
const isSealedText = (text: string): boolean => text.startsWith("{");
