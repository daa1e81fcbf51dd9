import type { RequestContext } from "../../domain/api-context.js";
import type { RetainedDeployment } from "../../domain/deployment-history.js";
import { retainedDeployments, servingDeploymentId, startRollback } from "../../domain/deployment-records.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { requireService } from "../operations/common.js";

export const LIST_SERVICE_DEPLOYMENTS = "ListServiceDeployments";
export const ROLLBACK_SERVICE = "RollbackService";

/** A retained deployment on the wire: what a user picks a rollback target by. */
export interface ServiceDeploymentSummary {
  DeploymentId: string;
  /** Seconds since the epoch, as App Runner's timestamps. */
  CompletedAt: number;
  ImageDigest: string;
  /** Where the image came from: its identifier, or for a code service the repository, branch and commit. */
  SourceSummary: string;
  /** Whether it serves now (a rollback to it is refused). */
  Serving: boolean;
}

function sourceSummaryOf(d: RetainedDeployment): string {
  const code = d.snapshot.configuration.SourceConfiguration?.CodeRepository;
  if (code) return `${code.RepositoryUrl ?? ""}@${code.SourceCodeVersion?.Value ?? ""}${d.commit ? ` (${d.commit.slice(0, 12)})` : ""}`;
  return d.snapshot.configuration.SourceConfiguration?.ImageRepository?.ImageIdentifier ?? d.imageIdentifier;
}

function serviceArnOf(input: Record<string, unknown>): string {
  const arn = input.ServiceArn;
  if (typeof arn !== "string" || arn === "") throw invalidRequest("ServiceArn is required.");
  return arn;
}

/**
 * `{ ServiceArn }` -> `{ Deployments }`: the service's retained successful deployments, newest
 * first (App Runner keeps no such list; OpenRunner keeps the last ten to roll back to).
 */
export function listServiceDeployments(input: Record<string, unknown>, ctx: RequestContext): { Deployments: ServiceDeploymentSummary[] } {
  const s = requireService(ctx, serviceArnOf(input));
  const serving = servingDeploymentId(ctx.store, s);
  return {
    Deployments: retainedDeployments(ctx.store, s.arn).map((d) => ({
      DeploymentId: d.deploymentId,
      CompletedAt: d.completedAt,
      ImageDigest: d.imageDigest,
      SourceSummary: sourceSummaryOf(d),
      Serving: d.deploymentId === serving,
    })),
  };
}

/**
 * `{ ServiceArn, DeploymentId? }` -> `{ OperationId, DeploymentId, ImageDigest }`: deploys a
 * retained deployment again (by default the one before the serving one) through the normal
 * health-gated path, as a START_DEPLOYMENT operation. Unknown deployment:
 * ResourceNotFoundException; a service that is not RUNNING: InvalidStateException.
 */
export function rollbackService(input: Record<string, unknown>, ctx: RequestContext): { OperationId: string; DeploymentId: string; ImageDigest: string } {
  const arn = serviceArnOf(input);
  const requested = input.DeploymentId;
  if (requested !== undefined && requested !== null && (typeof requested !== "string" || requested === "")) {
    throw invalidRequest("DeploymentId must be a deployment id from ListServiceDeployments.");
  }
  return ctx.store.tx(() => {
    const s = requireService(ctx, arn);
    const { operationId, target } = startRollback(ctx, s, requested ?? undefined);
    return { OperationId: operationId, DeploymentId: target.deploymentId, ImageDigest: target.imageDigest };
  });
}
