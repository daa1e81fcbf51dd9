import type { Db } from "../database.js";
import type { IamRevision } from "./revision.js";

/** "member": group id -> user id; "profile-role": instance profile id -> role id. */
export type LinkKind = "member" | "profile-role";

export class LinkRepository {
  constructor(
    private readonly db: Db,
    private readonly revision: IamRevision,
  ) {}

  add(kind: LinkKind, fromId: string, toId: string): void {
    this.db.prepare(`INSERT OR IGNORE INTO iam_links (kind, from_id, to_id) VALUES (?, ?, ?)`).run(kind, fromId, toId);
    this.revision.bump();
  }

  remove(kind: LinkKind, fromId: string, toId: string): boolean {
    const n = this.db.prepare(`DELETE FROM iam_links WHERE kind = ? AND from_id = ? AND to_id = ?`).run(kind, fromId, toId).changes;
    this.revision.bump();
    return n > 0;
  }

  /** A group's users, an instance profile's roles. */
  targetsOf(kind: LinkKind, fromId: string): string[] {
    return (this.db.prepare(`SELECT to_id FROM iam_links WHERE kind = ? AND from_id = ?`).all(kind, fromId) as { to_id: string }[]).map((r) => r.to_id);
  }

  /** A user's groups, a role's instance profiles. */
  sourcesOf(kind: LinkKind, toId: string): string[] {
    return (this.db.prepare(`SELECT from_id FROM iam_links WHERE kind = ? AND to_id = ?`).all(kind, toId) as { from_id: string }[]).map((r) => r.from_id);
  }
}
