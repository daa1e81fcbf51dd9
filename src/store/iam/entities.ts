import type { Db } from "../database.js";
import type { IamRevision } from "./revision.js";

/** Users, groups, roles and instance profiles share one table: they differ only in their own fields (`doc`). */
export type EntityKind = "user" | "group" | "role" | "instance-profile";

export interface EntityRow {
  id: string;
  kind: EntityKind;
  name: string;
  path: string;
  arn: string;
  /** ms since the epoch. */
  createdAt: number;
  /** The kind's own fields (a role's trust policy, description, maximum session duration). */
  doc: Readonly<Record<string, unknown>>;
}

export interface Tag {
  Key: string;
  Value: string;
}

interface Raw {
  id: string;
  kind: EntityKind;
  name: string;
  path: string;
  arn: string;
  created_at: number;
  doc: string;
}

const rowOf = (r: Raw): EntityRow => ({ id: r.id, kind: r.kind, name: r.name, path: r.path, arn: r.arn, createdAt: r.created_at, doc: JSON.parse(r.doc) as Record<string, unknown> });

export class EntityRepository {
  constructor(
    private readonly db: Db,
    private readonly revision: IamRevision,
  ) {}

  insert(row: EntityRow): void {
    this.db
      .prepare(`INSERT INTO iam_entities (id, kind, name, path, arn, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(row.id, row.kind, row.name, row.path, row.arn, row.createdAt, JSON.stringify(row.doc));
    this.revision.bump();
  }

  /** Names are unique per kind whatever their case, and found whatever their case, as in IAM. */
  byName(kind: EntityKind, name: string): EntityRow | undefined {
    const r = this.db.prepare(`SELECT * FROM iam_entities WHERE kind = ? AND name = ? COLLATE NOCASE`).get(kind, name) as Raw | undefined;
    return r && rowOf(r);
  }

  byId(id: string): EntityRow | undefined {
    const r = this.db.prepare(`SELECT * FROM iam_entities WHERE id = ?`).get(id) as Raw | undefined;
    return r && rowOf(r);
  }

  byArn(arn: string): EntityRow | undefined {
    const r = this.db.prepare(`SELECT * FROM iam_entities WHERE arn = ?`).get(arn) as Raw | undefined;
    return r && rowOf(r);
  }

  /** By name; only those whose path starts with `pathPrefix` when one is given. */
  list(kind: EntityKind, pathPrefix = "/"): EntityRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM iam_entities WHERE kind = ? AND substr(path, 1, ?) = ? ORDER BY name COLLATE NOCASE`)
      .all(kind, pathPrefix.length, pathPrefix) as Raw[];
    return rows.map(rowOf);
  }

  byIds(ids: readonly string[]): EntityRow[] {
    return ids.map((id) => this.byId(id)).filter((r): r is EntityRow => r !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  update(id: string, change: { name: string; path: string; arn: string; doc: Readonly<Record<string, unknown>> }): void {
    this.db.prepare(`UPDATE iam_entities SET name = ?, path = ?, arn = ?, doc = ? WHERE id = ?`).run(change.name, change.path, change.arn, JSON.stringify(change.doc), id);
    this.revision.bump();
  }

  /** The entity and its tags; the caller has made sure nothing else refers to it (IAM's DeleteConflict). */
  delete(id: string): void {
    this.db.prepare(`DELETE FROM iam_tags WHERE entity_id = ?`).run(id);
    this.db.prepare(`DELETE FROM iam_entities WHERE id = ?`).run(id);
    this.revision.bump();
  }

  tags(id: string): Tag[] {
    return this.db.prepare(`SELECT key AS Key, value AS Value FROM iam_tags WHERE entity_id = ? ORDER BY key`).all(id) as Tag[];
  }

  putTags(id: string, tags: readonly Tag[]): void {
    const stmt = this.db.prepare(`INSERT INTO iam_tags (entity_id, key, value) VALUES (?, ?, ?) ON CONFLICT (entity_id, key) DO UPDATE SET value = excluded.value`);
    for (const t of tags) stmt.run(id, t.Key, t.Value);
    this.revision.bump();
  }

  removeTags(id: string, keys: readonly string[]): void {
    const stmt = this.db.prepare(`DELETE FROM iam_tags WHERE entity_id = ? AND key = ?`);
    for (const k of keys) stmt.run(id, k);
    this.revision.bump();
  }
}
