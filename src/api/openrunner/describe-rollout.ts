import type { RequestContext } from "../../domain/api-context.js";
import { rolloutPercent, rolloutRecordOf, type RolloutRecord, type RolloutStatus } from "../../domain/gradual-rollout-record.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { OPEN_OPERATION_STATUSES, type OperationRow } from "../../store/operations.js";
import { requireService } from "../operations/common.js";
import { publicDeploymentId } from "../../domain/deployment-records.js";

export const DESCRIBE_ROLLOUT = "DescribeRollout";

/** How far back DescribeRollout looks for the service's latest rollout (its newest operations). */
const LOOK_BACK = 50;

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** DescribeRollout's `Rollout` (the contract in docs/deployments.md, "Gradual rollout"). */
export interface RolloutWire {
  OperationId: string;
  DeploymentId: string;
  PreviousDeploymentId: string;
  Status: RolloutStatus;
  Percent: number;
  Settings: { Steps: number[]; IntervalSeconds: number; Max5xxPercent: number; MaxP99Millis: number; WindowSeconds: number; MinRequests: number };
  Steps: { Percent: number; StartedAt: number; EndedAt?: number; Requests: number; Errors5xx: number; P99Millis?: number }[];
  Reason?: string;
  StartedAt: number;
  EndedAt?: number;
}

/** A rollout whose operation ended without the rollout ending it (cancelled by a delete, or a later step failed) reads as FAILED. */
function statusOf(op: OperationRow, r: RolloutRecord): { status: RolloutStatus; reason?: string } {
  const open = OPEN_OPERATION_STATUSES.includes(op.status);
  if (r.status === "IN_PROGRESS" && !open) return { status: "FAILED", reason: op.state.error ?? "The deployment ended before the rollout did." };
  if (r.status === "PROMOTED" && !open && op.status !== "SUCCEEDED") return { status: "FAILED", reason: op.state.error ?? "The deployment failed after the promotion." };
  return { status: r.status, ...(r.reason ? { reason: r.reason } : {}) };
}

/** `previous`: the deployment that served before, by its operation's id (publicDeploymentId). */
export function rolloutWire(op: OperationRow, r: RolloutRecord, previous: string): RolloutWire {
  const { status, reason } = statusOf(op, r);
  const s = r.settings;
  const ended = r.endedAt ?? (status === "FAILED" ? (op.endedAt ?? undefined) : undefined);
  return {
    OperationId: op.id,
    // The ids ListServiceDeployments and RollbackService take: a deployment is named by its operation.
    DeploymentId: op.id,
    PreviousDeploymentId: previous,
    Status: status,
    Percent: status === "FAILED" ? 0 : rolloutPercent(r),
    Settings: {
      Steps: [...s.steps],
      IntervalSeconds: s.intervalMs / 1000,
      Max5xxPercent: s.max5xxPercent,
      MaxP99Millis: s.maxP99Ms,
      WindowSeconds: s.windowMs / 1000,
      MinRequests: s.minRequests,
    },
    Steps: r.steps.map((x) => ({
      Percent: x.percent,
      StartedAt: seconds(x.startedAt),
      ...(x.endedAt !== undefined ? { EndedAt: seconds(x.endedAt) } : {}),
      Requests: x.requests,
      Errors5xx: x.errors5xx,
      ...(x.p99Ms !== undefined ? { P99Millis: x.p99Ms } : {}),
    })),
    ...(reason ? { Reason: reason } : {}),
    StartedAt: seconds(r.startedAt),
    ...(ended !== undefined ? { EndedAt: seconds(ended) } : {}),
  };
}

/**
 * `{ ServiceArn }` -> `{ Rollout? }`: the service's latest gradual rollout, in progress or the
 * last one that finished; absent when it has none.
 */
export function describeRollout(input: Record<string, unknown>, ctx: RequestContext): { Rollout?: RolloutWire } {
  const arn = input.ServiceArn;
  if (typeof arn !== "string" || arn === "") throw invalidRequest("ServiceArn is required.");
  const s = requireService(ctx, arn);
  for (const op of ctx.store.operations.listForService(s.arn, undefined, LOOK_BACK)) {
    const r = rolloutRecordOf(op.state.rollout);
    if (r) return { Rollout: rolloutWire(op, r, publicDeploymentId(ctx.store, s.arn, op.state.previousDeploymentId ?? "")) };
  }
  return {};
}
