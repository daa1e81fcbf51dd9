import type Database from "better-sqlite3";
import type { Db } from "./database.js";

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

const fromRaw = <TDoc, TInternal>(r: RawRow): ResourceRow<TDoc, TInternal> => ({
  arn: r.arn,
  kind: r.kind,
  name: r.name,
  revision: r.revision,
  parentArn: r.parent_arn,
  status: r.status,
  doc: JSON.parse(r.doc) as TDoc,
  internal: JSON.parse(r.internal) as TInternal,
  seq: r.seq,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

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

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO resources (arn, kind, name, revision, parent_arn, status, doc, internal, seq, created_at)
       VALUES (@arn, @kind, @name, @revision, @parentArn, @status, @doc, @internal,
               (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources), @createdAt)`,
    );
    this.getStmt = db.prepare(`SELECT * FROM resources WHERE arn = ?`);
    this.updateStmt = db.prepare(
      `UPDATE resources SET status = @status, doc = @doc, internal = @internal, deleted_at = @deletedAt WHERE arn = @arn`,
    );
  }

  private statement(sql: string): Statement {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.prepared.set(sql, stmt);
    }
    return stmt;
  }

  insert<TDoc, TInternal>(r: NewResource<TDoc, TInternal>): ResourceRow<TDoc, TInternal> {
    this.insertStmt.run({
      arn: r.arn,
      kind: r.kind,
      name: r.name,
      revision: r.revision ?? 0,
      parentArn: r.parentArn ?? "",
      status: r.status,
      doc: JSON.stringify(r.doc),
      internal: JSON.stringify(r.internal ?? {}),
      createdAt: r.createdAt,
    });
    const row = this.get<TDoc, TInternal>(r.arn);
    if (!row) throw new Error(`resource ${r.arn} vanished after insert`);
    return row;
  }

  get<TDoc, TInternal = Record<string, unknown>>(arn: string): ResourceRow<TDoc, TInternal> | undefined {
    const raw = this.getStmt.get(arn) as RawRow | undefined;
    return raw ? fromRaw<TDoc, TInternal>(raw) : undefined;
  }

  update<TDoc, TInternal>(row: ResourceRow<TDoc, TInternal>): void {
    this.updateStmt.run({
      arn: row.arn,
      status: row.status,
      doc: JSON.stringify(row.doc),
      internal: JSON.stringify(row.internal),
      deletedAt: row.deletedAt,
    });
  }

  /** Removes a row for good (for resources App Runner forgets on delete, like custom domains). */
  remove(arn: string): void {
    this.statement(`DELETE FROM resources WHERE arn = ?`).run(arn);
  }

  list<TDoc, TInternal = Record<string, unknown>>(q: ListQuery): ResourceRow<TDoc, TInternal>[] {
    const where = ["kind = @kind"];
    if (q.name !== undefined) where.push("name = @name");
    if (q.parentArn !== undefined) where.push("parent_arn = @parentArn");
    if (!q.includeDeleted) where.push("deleted_at IS NULL");
    if (q.afterSeq !== undefined) where.push(q.descending ? "seq < @afterSeq" : "seq > @afterSeq");
    const sql = `SELECT * FROM resources WHERE ${where.join(" AND ")} ORDER BY seq ${q.descending ? "DESC" : "ASC"}${
      q.limit !== undefined ? " LIMIT @limit" : ""
    }`;
    const rows = this.statement(sql).all({
      kind: q.kind,
      name: q.name,
      parentArn: q.parentArn,
      afterSeq: q.afterSeq,
      limit: q.limit,
    }) as RawRow[];
    return rows.map((r) => fromRaw<TDoc, TInternal>(r));
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
