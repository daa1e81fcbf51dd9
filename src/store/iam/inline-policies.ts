import type { Db } from "../database.js";
import type { IamRevision } from "./revision.js";

/** Inline policies of users, groups and roles, by the entity's unique id; names unique per entity whatever their case. */
export class InlinePolicyRepository {
  constructor(
    private readonly db: Db,
    private readonly revision: IamRevision,
  ) {}

  put(entityId: string, name: string, document: string): void {
    this.db
      .prepare(`INSERT INTO iam_inline_policies (entity_id, name, document) VALUES (?, ?, ?) ON CONFLICT (entity_id, name) DO UPDATE SET document = excluded.document`)
      .run(entityId, name, document);
    this.revision.bump();
  }

  get(entityId: string, name: string): { name: string; document: string } | undefined {
    return this.db.prepare(`SELECT name, document FROM iam_inline_policies WHERE entity_id = ? AND name = ?`).get(entityId, name) as
      | { name: string; document: string }
      | undefined;
  }

  delete(entityId: string, name: string): boolean {
    const n = this.db.prepare(`DELETE FROM iam_inline_policies WHERE entity_id = ? AND name = ?`).run(entityId, name).changes;
    this.revision.bump();
    return n > 0;
  }

  /** Every inline policy of the entity, by name. */
  all(entityId: string): { name: string; document: string }[] {
    return this.db.prepare(`SELECT name, document FROM iam_inline_policies WHERE entity_id = ? ORDER BY name`).all(entityId) as { name: string; document: string }[];
  }
}
