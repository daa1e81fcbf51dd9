import type Database from "better-sqlite3";
import type { Db } from "./database.js";
import type { KmsBinding, SealedJson } from "./sealed-json.js";
import { deepFreeze } from "../util/deep-freeze.js";

export type ResourceKind =
  | "service"
  | "auto-scaling-configuration"
  | "observability-configuration"
  | "connection"
  | "vpc-connector"
  | "vpc-ingress-connection"
  | "custom-domain";

export interface ResourceRow<TDoc, TInternal = Record<string, unknown>> {
  arn: string;
  kind: ResourceKind;
  name: string;
  revision: number;
  parentArn: string;
  status: string;
  doc: TDoc;
  internal: TInternal;
  seq: number;
  createdAt: number;
  deletedAt: number | null;
}

interface RawRow {
  arn: string;
  kind: ResourceKind;
  name: string;
  revision: number;
  parent_arn: string;
  status: string;
  doc: string;
  internal: string;
  seq: number;
  created_at: number;
  deleted_at: number | null;
}

export interface NewResource<TDoc, TInternal> {
  arn: string;
  kind: ResourceKind;
  name: string;
  revision?: number;
  parentArn?: string;
  status: string;
  doc: TDoc;
  internal?: TInternal;
  createdAt: number;
}

export interface ListQuery {
  kind: ResourceKind;
  name?: string;
  parentArn?: string;
  /** Include soft-deleted rows (App Runner lists INACTIVE revisions, for example). */
  includeDeleted?: boolean;
  /** Keyset paging: rows with seq strictly after this one. */
  afterSeq?: number;
  limit?: number;
  descending?: boolean;
}

/** What queries return: which rows, and which version of each; the cache supplies the rest. */
type RowVersion = [arn: string, version: number];

/**
 * The KMS key a resource's sealed members are encrypted under: a service's
 * EncryptionConfiguration.KmsKey (kept in clear beside them: it is what opens them).
 */
export function kmsKeyOf(doc: unknown): string | undefined {
  const key = (doc as { EncryptionConfiguration?: { KmsKey?: unknown } } | null)?.EncryptionConfiguration?.KmsKey;
  return typeof key === "string" && key !== "" ? key : undefined;
}

function kmsBindingOf(arn: string, doc: unknown): KmsBinding | undefined {
  const keyRef = kmsKeyOf(doc);
  return keyRef === undefined ? undefined : { keyRef, context: arn };
}


interface CachedRow {
  version: number;
  row: ResourceRow<unknown, unknown>;
  /** The file's data version when `version` was last read from it (dataVersion()). */
  confirmedAt: number;
}

type Statement = Database.Statement<unknown[], unknown>;

/** All App Runner resources share one table; kinds differ only in their documents. */
export class ResourceRepository {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly updateStmt;
  /**
   * Statements for queries built per call, by SQL text. Preparing on every call was about a
   * tenth of the server's CPU time under bench/api-latency.ts (docs/performance.md), and the
   * distinct query shapes are few, so the map stays small.
   */
  private readonly prepared = new Map<string, Statement>();
  /**
   * Parsed rows by ARN, valid while the row's version is unchanged (every update bumps it, and
   * nothing else changes a row). Queries then read only (arn, version) out of SQLite and skip
   * both row decoding and JSON.parse, most of ListServices' cost. Another process writing the
   * file bumps versions too, so the cache cannot go stale.
   */
  private readonly cache = new Map<string, CachedRow>();
  private readonly rowStmt;
  /**
   * `PRAGMA data_version`: it changes when another connection (the CLI beside `openrunner up`,
   * another process) commits to the file, never for this connection's own commits, whose
   * writes go through this repository and evict their rows. While it is unchanged, a cached
   * row's version is still the file's, so get() answers without reading the row's version:
   * one statement instead of a b-tree search per row (docs/performance.md, "December (5)").
   */
  private readonly dataVersionStmt;
  /** The data version read once for a whole read transaction (snapshot()), which cannot change inside it. */
  private pinnedDataVersion: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly json: SealedJson,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO resources (arn, kind, name, revision, parent_arn, status, doc, internal, seq, created_at)
       VALUES (@arn, @kind, @name, @revision, @parentArn, @status, @doc, @internal,
               (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources), @createdAt)`,
    );
    this.getStmt = db.prepare(`SELECT arn, version FROM resources WHERE arn = ?`).raw(true);
    this.rowStmt = db.prepare(`SELECT * FROM resources WHERE arn = ?`);
    this.dataVersionStmt = db.prepare(`PRAGMA data_version`).pluck();
    this.updateStmt = db.prepare(
      `UPDATE resources SET status = @status, doc = @doc, internal = @internal, deleted_at = @deletedAt,
       version = version + 1 WHERE arn = @arn`,
    );
  }

  private statement(sql: string, raw = false): Statement {
    const key = raw ? `raw:${sql}` : sql;
    let stmt = this.prepared.get(key);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (raw) stmt.raw(true);
      this.prepared.set(key, stmt);
    }
    return stmt;
  }

  insert<TDoc, TInternal>(r: NewResource<TDoc, TInternal>): ResourceRow<TDoc, TInternal> {
    this.cache.delete(r.arn);
    this.insertStmt.run({
      arn: r.arn,
      kind: r.kind,
      name: r.name,
      revision: r.revision ?? 0,
      parentArn: r.parentArn ?? "",
      status: r.status,
      doc: this.json.stringify(r.doc, r.arn, kmsBindingOf(r.arn, r.doc)),
      internal: this.json.stringify(r.internal ?? {}, r.arn, kmsBindingOf(r.arn, r.doc)),
      createdAt: r.createdAt,
    });
    const row = this.get<TDoc, TInternal>(r.arn);
    if (!row) throw new Error(`resource ${r.arn} vanished after insert`);
    return row;
  }

  get<TDoc, TInternal = Record<string, unknown>>(arn: string): ResourceRow<TDoc, TInternal> | undefined {
    // Read before the row's version, so a commit between the two only makes the entry look older than it is.
    const dataVersion = this.dataVersion();
    const entry = this.cache.get(arn);
    if (entry && entry.confirmedAt === dataVersion) return { ...(entry.row as ResourceRow<TDoc, TInternal>) };
    const hit = this.getStmt.get(arn) as RowVersion | undefined;
    return hit ? this.cached<TDoc, TInternal>(hit, dataVersion) : undefined;
  }

  /** Runs fn's reads with the data version read once (Store.read: inside its read transaction, where it cannot change). */
  snapshot<T>(fn: () => T): T {
    const outer = this.pinnedDataVersion;
    this.pinnedDataVersion = this.dataVersion();
    try {
      return fn();
    } finally {
      this.pinnedDataVersion = outer;
    }
  }

  private dataVersion(): number {
    return this.pinnedDataVersion ?? (this.dataVersionStmt.get() as number);
  }

  /** Forgets every parsed row: after a rolled-back transaction a version number may be reused. */
  forgetCachedRows(): void {
    this.cache.clear();
  }

  /** A fresh wrapper around the shared, frozen documents, so callers may reassign its fields. */
  private cached<TDoc, TInternal>([arn, version]: RowVersion, dataVersion: number): ResourceRow<TDoc, TInternal> {
    let entry = this.cache.get(arn);
    if (entry && entry.version === version) {
      entry.confirmedAt = dataVersion;
    } else {
      const raw = this.rowStmt.get(arn) as (RawRow & { version: number }) | undefined;
      if (!raw) throw new Error(`resource ${arn} vanished while being read`);
      const doc = this.json.open(raw.doc, raw.arn);
      const internal = this.json.open(raw.internal, raw.arn);
      const row: ResourceRow<unknown, unknown> = {
        arn: raw.arn,
        kind: raw.kind,
        name: raw.name,
        revision: raw.revision,
        parentArn: raw.parent_arn,
        status: raw.status,
        // Parsed rows are shared between reads, so documents are frozen: callers replace, never edit.
        doc: deepFreeze(doc.value),
        internal: deepFreeze(internal.value),
        seq: raw.seq,
        createdAt: raw.created_at,
        deletedAt: raw.deleted_at,
      };
      entry = { version: raw.version, row, confirmedAt: dataVersion };
      // A row with members its KMS key would not open is read again next time: the key may be enabled by then.
      if (doc.complete && internal.complete) this.cache.set(arn, entry);
    }
    return { ...(entry.row as ResourceRow<TDoc, TInternal>) };
  }

  update<TDoc, TInternal>(row: ResourceRow<TDoc, TInternal>): void {
    // This connection's commits leave the data version as it was: the next read must see the new version.
    this.cache.delete(row.arn);
    this.updateStmt.run({
      arn: row.arn,
      status: row.status,
      doc: this.json.stringify(row.doc, row.arn, kmsBindingOf(row.arn, row.doc)),
      internal: this.json.stringify(row.internal, row.arn, kmsBindingOf(row.arn, row.doc)),
      deletedAt: row.deletedAt,
    });
  }

  /** Removes a row for good (for resources App Runner forgets on delete, like custom domains). */
  remove(arn: string): void {
    this.cache.delete(arn);
    this.statement(`DELETE FROM resources WHERE arn = ?`).run(arn);
  }

  list<TDoc, TInternal = Record<string, unknown>>(q: ListQuery): ResourceRow<TDoc, TInternal>[] {
    const where = ["kind = @kind"];
    if (q.name !== undefined) where.push("name = @name");
    if (q.parentArn !== undefined) where.push("parent_arn = @parentArn");
    if (!q.includeDeleted) where.push("deleted_at IS NULL");
    if (q.afterSeq !== undefined) where.push(q.descending ? "seq < @afterSeq" : "seq > @afterSeq");
    const dataVersion = this.dataVersion();
    const sql = `SELECT arn, version FROM resources WHERE ${where.join(" AND ")} ORDER BY seq ${q.descending ? "DESC" : "ASC"}${
      q.limit !== undefined ? " LIMIT @limit" : ""
    }`;
    const rows = this.statement(sql, true).all({
      kind: q.kind,
      name: q.name,
      parentArn: q.parentArn,
      afterSeq: q.afterSeq,
      limit: q.limit,
    }) as RowVersion[];
    return rows.map((r) => this.cached<TDoc, TInternal>(r, dataVersion));
  }

  count(q: Pick<ListQuery, "kind" | "name" | "parentArn">): number {
    const where = ["kind = @kind", "deleted_at IS NULL"];
    if (q.name !== undefined) where.push("name = @name");
    if (q.parentArn !== undefined) where.push("parent_arn = @parentArn");
    const row = this.statement(`SELECT COUNT(*) AS n FROM resources WHERE ${where.join(" AND ")}`)
      .get({ kind: q.kind, name: q.name, parentArn: q.parentArn }) as { n: number };
    return row.n;
  }

  /** Distinct live names of a kind: App Runner's name quotas count names, not revisions. */
  countNames(kind: ResourceKind): number {
    const row = this.statement(`SELECT COUNT(DISTINCT name) AS n FROM resources WHERE kind = ? AND deleted_at IS NULL`)
      .get(kind) as { n: number };
    return row.n;
  }

  maxRevision(kind: ResourceKind, name: string): number {
    const row = this.statement(`SELECT COALESCE(MAX(revision), 0) AS n FROM resources WHERE kind = ? AND name = ?`)
      .get(kind, name) as { n: number };
    return row.n;
  }
}
