import type { Statement } from "better-sqlite3";
import type { LogDb } from "./open.js";

/**
 * Prepared statements by SQL text. Queries whose shape depends on the request (filters,
 * order) are built as text; a bounded cache keeps each shape compiled once.
 */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: LogDb,
    private readonly max = 64,
  ) {}

  get(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (stmt) {
      this.cache.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= this.max) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    this.cache.set(sql, stmt);
    return stmt;
  }
}
