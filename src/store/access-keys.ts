import type { SealedSecret, SecretBox } from "../iam/secret-box.js";
import type { Principal } from "../iam/sigv4/verify.js";
import type { Db } from "./database.js";
import type { IamRevision } from "./iam/revision.js";

export type AccessKeyStatus = "Active" | "Inactive";

export interface AccessKeyRow {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
  createdAt: number;
  /** The IAM user's unique id (AIDA…); "" for the account's root key. */
  ownerId?: string;
  status?: AccessKeyStatus;
}

/** A key as IAM lists it: never its secret. */
export interface AccessKeyInfo {
  accessKeyId: string;
  ownerId: string;
  status: AccessKeyStatus;
  createdAt: number;
  lastUsed?: KeyUse;
}

export interface KeyUse {
  /** ms since the epoch. */
  at: number;
  service: string;
  region: string;
}

interface Raw {
  access_key_id: string;
  secret_access_key: string;
  principal: string;
  created_at: number;
  owner_id: string;
  status: AccessKeyStatus;
  last_used_at: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
}

const infoOf = (r: Raw): AccessKeyInfo => ({
  accessKeyId: r.access_key_id,
  ownerId: r.owner_id,
  status: r.status,
  createdAt: r.created_at,
  ...(r.last_used_at !== null ? { lastUsed: { at: r.last_used_at, service: r.last_used_service ?? "", region: r.last_used_region ?? "" } } : {}),
});

export class AccessKeyRepository {
  /** Prepared once: every signed request looks its key up here. */
  private readonly getStmt;
  /**
   * Active keys found, by id. Misses are not kept, so a key another process adds is seen at
   * once; a key made inactive or deleted (IAM, in this process) is evicted in the same call, so
   * it stops working at once.
   */
  private readonly found = new Map<string, AccessKeyRow>();
  /** Last use of each key since the last flush: noted on every call, written in batches. */
  private readonly uses = new Map<string, KeyUse>();

  /**
   * Secret keys are stored sealed (SigV4 needs the secret itself, so a hash would not do),
   * bound to their key id: reading the database does not give them away.
   */
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly revision?: IamRevision,
  ) {
    this.getStmt = db.prepare(`SELECT * FROM access_keys WHERE access_key_id = ?`);
  }

  insert(k: AccessKeyRow): void {
    this.db
      .prepare(`INSERT INTO access_keys (access_key_id, secret_access_key, principal, created_at, owner_id, status) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(k.accessKeyId, this.sealed(k.accessKeyId, k.secretAccessKey), JSON.stringify(k.principal), k.createdAt, k.ownerId ?? "", k.status ?? "Active");
    this.revision?.bump();
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

  /** An ACTIVE key with its secret, for SigV4: an inactive, deleted or unknown key is undefined. */
  get(accessKeyId: string): AccessKeyRow | undefined {
    const known = this.found.get(accessKeyId);
    if (known) return known;
    const r = this.getStmt.get(accessKeyId) as Raw | undefined;
    if (!r || r.status !== "Active") return undefined;
    const row: AccessKeyRow = {
      accessKeyId: r.access_key_id,
      secretAccessKey: this.box.open(JSON.parse(r.secret_access_key) as SealedSecret, accessKeyContext(r.access_key_id)),
      principal: JSON.parse(r.principal) as Principal,
      createdAt: r.created_at,
      ownerId: r.owner_id,
      status: r.status,
    };
    this.found.set(accessKeyId, row);
    return row;
  }

  /** The account's root key (the first one made, owned by no user). */
  first(): AccessKeyRow | undefined {
    const r = this.db.prepare(`SELECT access_key_id FROM access_keys WHERE owner_id = '' ORDER BY created_at LIMIT 1`).get() as
      | { access_key_id: string }
      | undefined;
    return r ? this.get(r.access_key_id) : undefined;
  }

  /** A key as IAM shows it, whatever its status; no secret. */
  info(accessKeyId: string): AccessKeyInfo | undefined {
    this.flushUses();
    const r = this.getStmt.get(accessKeyId) as Raw | undefined;
    return r && infoOf(r);
  }

  /** A user's keys ("" for the root key), oldest first. */
  ownedBy(ownerId: string): AccessKeyInfo[] {
    this.flushUses();
    return (this.db.prepare(`SELECT * FROM access_keys WHERE owner_id = ? ORDER BY created_at, access_key_id`).all(ownerId) as Raw[]).map(infoOf);
  }

  setStatus(accessKeyId: string, status: AccessKeyStatus): void {
    this.db.prepare(`UPDATE access_keys SET status = ? WHERE access_key_id = ?`).run(status, accessKeyId);
    this.found.delete(accessKeyId);
    this.revision?.bump();
  }

  delete(accessKeyId: string): void {
    this.db.prepare(`DELETE FROM access_keys WHERE access_key_id = ?`).run(accessKeyId);
    this.found.delete(accessKeyId);
    this.uses.delete(accessKeyId);
    this.revision?.bump();
  }

  /** A renamed or moved user's keys sign as its new ARN from the next call on. */
  setPrincipal(ownerId: string, principalOf: (accessKeyId: string) => Principal): void {
    const update = this.db.prepare(`UPDATE access_keys SET principal = ? WHERE access_key_id = ?`);
    for (const k of this.ownedBy(ownerId)) {
      update.run(JSON.stringify(principalOf(k.accessKeyId)), k.accessKeyId);
      this.found.delete(k.accessKeyId);
    }
    this.revision?.bump();
  }

  /** Called for every signed call: one map write; `flushUses` stores them (GetAccessKeyLastUsed, a timer, shutdown). */
  noteUse(accessKeyId: string, use: KeyUse): void {
    this.uses.set(accessKeyId, use);
  }

  flushUses(): void {
    if (this.uses.size === 0) return;
    const update = this.db.prepare(`UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ?`);
    const batch = [...this.uses];
    this.uses.clear();
    this.db.transaction(() => {
      for (const [id, u] of batch) update.run(u.at, u.service, u.region, id);
    })();
  }
}

const accessKeyContext = (accessKeyId: string): string => `access-key:${accessKeyId}`;

/** AWS secret keys are base64-like text; a sealed one is a JSON object. */
const isSealedText = (text: string): boolean => text.startsWith("{");
