import type { Db } from "./database.js";

export interface Tag {
  Key: string;
  Value: string;
}

export class TagRepository {
  /** Prepared on first use and kept: the authorizer reads a resource's tags whenever a policy's condition names one. */
  private listStmt: ReturnType<Db["prepare"]> | undefined;

  constructor(private readonly db: Db) {}

  list(resourceArn: string): Tag[] {
    this.listStmt ??= this.db.prepare(`SELECT key AS Key, value AS Value FROM tags WHERE resource_arn = ? ORDER BY key`);
    return this.listStmt.all(resourceArn) as Tag[];
  }

  put(resourceArn: string, tags: readonly Tag[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?)
       ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value`,
    );
    for (const t of tags) stmt.run(resourceArn, t.Key, t.Value);
  }

  remove(resourceArn: string, keys: readonly string[]): void {
    const stmt = this.db.prepare(`DELETE FROM tags WHERE resource_arn = ? AND key = ?`);
    for (const k of keys) stmt.run(resourceArn, k);
  }

  removeAll(resourceArn: string): void {
    this.db.prepare(`DELETE FROM tags WHERE resource_arn = ?`).run(resourceArn);
  }

  /** A resource's tags as IAM's aws:ResourceTag/* reads them; undefined for an untagged (or unknown) resource. */
  record(resourceArn: string): Record<string, string> | undefined {
    const rows = this.list(resourceArn);
    return rows.length === 0 ? undefined : Object.fromEntries(rows.map((t) => [t.Key, t.Value]));
  }

  count(resourceArn: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM tags WHERE resource_arn = ?`).get(resourceArn) as { n: number }).n;
  }
}
