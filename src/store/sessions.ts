import type { SealedSecret, SecretBox } from "../iam/secret-box.js";
import type { Principal } from "../iam/principal.js";
import type { TemporarySession, TemporarySessionWriter } from "../iam/sessions.js";
import type { Db } from "./database.js";

interface SessionRow {
  access_key_id: string;
  secret_access_key: string;
  token_sha256: string;
  principal: string;
  created_at: number;
  expires_at: number;
}

/**
 * Temporary credentials (ASIA… keys). Every request signed with one looks it up here, so rows
 * found are kept parsed (one Principal object per key, which the audit trail's identity cache
 * relies on); a session never changes, and the sweep evicts what it deletes.
 */
export class SessionRepository implements TemporarySessionWriter {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly expiredStmt;
  private readonly deleteStmt;
  private readonly found = new Map<string, TemporarySession>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    this.getStmt = db.prepare(`SELECT * FROM sts_sessions WHERE access_key_id = ?`);
    this.insertStmt = db.prepare(
      `INSERT INTO sts_sessions (access_key_id, secret_access_key, token_sha256, principal, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.expiredStmt = db.prepare(`SELECT access_key_id FROM sts_sessions WHERE expires_at < ? LIMIT ?`);
    this.deleteStmt = db.prepare(`DELETE FROM sts_sessions WHERE access_key_id = ?`);
  }

  insert(s: TemporarySession): void {
    const sealed = JSON.stringify(this.box.seal(s.secretAccessKey, sessionContext(s.accessKeyId)));
    this.insertStmt.run(s.accessKeyId, sealed, s.tokenSha256, JSON.stringify(s.principal), s.createdAt, s.expiresAt);
  }

  /** Expired sessions too: the verifier tells a caller its token expired (ExpiredToken) rather than unknown. */
  get(accessKeyId: string): TemporarySession | undefined {
    const known = this.found.get(accessKeyId);
    if (known) return known;
    const r = this.getStmt.get(accessKeyId) as SessionRow | undefined;
    if (!r) return undefined;
    const session: TemporarySession = {
      accessKeyId: r.access_key_id,
      secretAccessKey: this.box.open(JSON.parse(r.secret_access_key) as SealedSecret, sessionContext(r.access_key_id)),
      tokenSha256: r.token_sha256,
      principal: JSON.parse(r.principal) as Principal,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
    this.found.set(accessKeyId, session);
    return session;
  }

  /** Deletes up to `limit` sessions that expired before `before` (ms); how many it deleted. */
  deleteExpired(before: number, limit: number): number {
    const ids = (this.expiredStmt.all(before, limit) as { access_key_id: string }[]).map((r) => r.access_key_id);
    if (ids.length === 0) return 0;
    this.db.transaction(() => {
      for (const id of ids) this.deleteStmt.run(id);
    })();
    for (const id of ids) this.found.delete(id);
    return ids.length;
  }

  count(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM sts_sessions`).get() as { n: number }).n;
  }
}

/** Authenticated data of a sealed session secret: a secret moved to another row does not open. */
const sessionContext = (accessKeyId: string): string => `sts-session:${accessKeyId}`;
