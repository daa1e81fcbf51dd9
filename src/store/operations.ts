import type { Db } from "./database.js";
import type { KmsBinding, SealedJson } from "./sealed-json.js";

export type OperationType =
  | "CREATE_SERVICE"
  | "UPDATE_SERVICE"
  | "START_DEPLOYMENT"
  | "PAUSE_SERVICE"
  | "RESUME_SERVICE"
  | "DELETE_SERVICE";

export type OperationStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "FAILED"
  | "SUCCEEDED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_FAILED"
  | "ROLLBACK_SUCCEEDED";

export const OPEN_OPERATION_STATUSES: readonly OperationStatus[] = ["PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS"];

/** Engine progress kept with the operation so a restart resumes where it stopped. */
export interface OperationState {
  phase: string;
  /** Why it failed, for the deployment log and events. */
  error?: string;
  /** The deployment this operation rolls out, when it deploys. */
  deploymentId?: string;
  /** The deployment that was serving before it, to roll back to. */
  previousDeploymentId?: string | null;
  /**
   * The image the deployment runs, as its artifact phase resolved it (pulled, built or found
   * again); the driver is handed this, and a prune keeps it while the operation is open.
   */
  /** (A built image's `secrets` are references, variable name -> value-from: never values.) */
  artifact?: { identifier: string; digest: string; manifestDigest: string; commit?: string; port?: number; secrets?: Record<string, string> };
  /** The image digest the deployment runs (its artifact's), recorded on the service when it succeeds. */
  imageDigest?: string;
  /** The commit a source-code deployment built, recorded on the service when it succeeds. */
  commit?: string;
  /*
   * The request members below are written and read only through domain/operation-request.ts
   * (`storedRequest`, `requestOf`), which types them per operation type and checks what it loads.
   */
  /** START_DEPLOYMENT: what started it when no API call did (automatic deployment: IMAGE_UPDATE, CODE_COMMIT). */
  trigger?: unknown;
  /** UPDATE_SERVICE: whether the update changed the source (message differs between the two cases). */
  sourceChanged?: unknown;
  /** UPDATE_SERVICE: `{ previous }`, the configuration it replaced. */
  request?: unknown;
  /** START_DEPLOYMENT of a rollback: `{ deploymentId, imageDigest, previous }` (domain/operation-request.ts). */
  rollback?: unknown;
  /**
   * A successful deployment's snapshot (`{ configuration }`, domain/deployment-history.ts):
   * present while the deployment is retained for a rollback, removed when it falls out.
   */
  deployed?: unknown;
  /** A gradual rollout's progress (domain/gradual-rollout-record.ts), while and after it runs. */
  rollout?: unknown;
}

export interface OperationRow {
  id: string;
  serviceArn: string;
  type: OperationType;
  status: OperationStatus;
  seq: number;
  startedAt: number;
  endedAt: number | null;
  updatedAt: number;
  state: OperationState;
}

interface RawOperation {
  id: string;
  service_arn: string;
  type: OperationType;
  status: OperationStatus;
  seq: number;
  started_at: number;
  ended_at: number | null;
  updated_at: number;
  state: string;
}

/** What a sealed member of an operation's state is bound to. */
export const operationContext = (id: string): string => `operation:${id}`;

const fromRaw = (json: SealedJson, r: RawOperation): OperationRow => ({
  id: r.id,
  serviceArn: r.service_arn,
  type: r.type,
  status: r.status,
  seq: r.seq,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  updatedAt: r.updated_at,
  // Members under the service's KMS key are bound to the service, the rest to the operation.
  state: json.parse<OperationState>(r.state, operationContext(r.id), r.service_arn),
});

export class OperationRepository {
  constructor(
    private readonly db: Db,
    private readonly json: SealedJson,
  ) {}

  /**
   * An operation's sealed members (the configuration an update replaced) are encrypted under its
   * service's KMS key, as the service's own are; that key cannot change after creation.
   */
  private kmsOf(serviceArn: string): KmsBinding | undefined {
    const row = this.db
      .prepare(`SELECT json_extract(doc, '$.EncryptionConfiguration.KmsKey') AS key FROM resources WHERE arn = ?`)
      .get(serviceArn) as { key: unknown } | undefined;
    return typeof row?.key === "string" && row.key !== "" ? { keyRef: row.key, context: serviceArn } : undefined;
  }

  insert(op: Omit<OperationRow, "seq" | "endedAt" | "updatedAt">): OperationRow {
    this.db
      .prepare(
        `INSERT INTO operations (id, service_arn, type, status, seq, started_at, ended_at, updated_at, state)
         VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM operations), ?, NULL, ?, ?)`,
      )
      .run(op.id, op.serviceArn, op.type, op.status, op.startedAt, op.startedAt, this.json.stringify(op.state, operationContext(op.id), this.kmsOf(op.serviceArn)));
    const row = this.get(op.id);
    if (!row) throw new Error(`operation ${op.id} vanished after insert`);
    return row;
  }

  get(id: string): OperationRow | undefined {
    const r = this.db.prepare(`SELECT * FROM operations WHERE id = ?`).get(id) as RawOperation | undefined;
    return r ? fromRaw(this.json, r) : undefined;
  }

  update(op: OperationRow): void {
    this.db
      .prepare(`UPDATE operations SET status = ?, ended_at = ?, updated_at = ?, state = ? WHERE id = ?`)
      .run(op.status, op.endedAt, op.updatedAt, this.json.stringify(op.state, operationContext(op.id), this.kmsOf(op.serviceArn)), op.id);
  }

  /** Newest first, as ListOperations returns them. */
  listForService(serviceArn: string, beforeSeq: number | undefined, limit: number): OperationRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM operations WHERE service_arn = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(serviceArn, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit) as RawOperation[];
    return rows.map((r) => fromRaw(this.json, r));
  }

  /**
   * Successful deployments still retained for a rollback (their state keeps `deployed`), newest
   * first; every service's when no ARN is given. A service deleted, or being deleted, has none:
   * the prune its delete runs removes their images.
   */
  retainedDeployments(serviceArn?: string): OperationRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM operations o WHERE o.status = 'SUCCEEDED' AND json_type(o.state, '$.deployed') = 'object'
           AND (? IS NULL OR o.service_arn = ?)
           AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.arn = o.service_arn AND r.deleted_at IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM operations d WHERE d.service_arn = o.service_arn AND d.type = 'DELETE_SERVICE'
                             AND d.status IN ('PENDING', 'IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'SUCCEEDED'))
         ORDER BY o.seq DESC`,
      )
      .all(serviceArn ?? null, serviceArn ?? null) as RawOperation[];
    return rows.map((r) => fromRaw(this.json, r));
  }

  /** Operations not yet ended, oldest first: the engine's work list. */
  listOpen(): OperationRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM operations WHERE status IN ('PENDING', 'IN_PROGRESS', 'ROLLBACK_IN_PROGRESS') ORDER BY seq ASC`,
      )
      .all() as RawOperation[];
    return rows.map((r) => fromRaw(this.json, r));
  }

  openForService(serviceArn: string): OperationRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM operations WHERE service_arn = ? AND status IN ('PENDING', 'IN_PROGRESS', 'ROLLBACK_IN_PROGRESS') ORDER BY seq ASC`,
      )
      .all(serviceArn) as RawOperation[];
    return rows.map((r) => fromRaw(this.json, r));
  }
}
