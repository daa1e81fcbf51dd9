import type { OperationRow } from "../store/operations.js";
import type { Store } from "../store/store.js";
import { epochSeconds } from "../protocol/wire.js";
import { deploymentsToDrop, rollbackTarget, snapshotOf, type DeploymentSnapshot, type RetainedDeployment } from "./deployment-history.js";
import type { PreviousConfiguration } from "./operation-request.js";
import type { ServiceRow } from "./service-record.js";
import { startOperation, type LifecycleDeps } from "./service-lifecycle.js";
import { assertCanStart } from "./service-rules.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A successful deploy operation as a retained deployment; undefined when it kept no snapshot or no image. */
function retainedOf(op: OperationRow): RetainedDeployment | undefined {
  const { deployed, artifact, imageDigest } = op.state;
  if (!isRecord(deployed) || !isRecord(deployed.configuration) || !artifact || !imageDigest) return undefined;
  return {
    deploymentId: op.id,
    completedAt: epochSeconds(op.endedAt ?? op.updatedAt),
    imageDigest,
    manifestDigest: artifact.manifestDigest,
    imageIdentifier: artifact.identifier,
    ...(artifact.commit ? { commit: artifact.commit } : {}),
    snapshot: { configuration: deployed.configuration as PreviousConfiguration } satisfies DeploymentSnapshot,
  };
}

/** The service's retained successful deployments, newest first. */
export function retainedDeployments(store: Store, serviceArn: string): RetainedDeployment[] {
  return store.operations.retainedDeployments(serviceArn).flatMap((op) => retainedOf(op) ?? []);
}

/** Every digest (index and manifest) of every service's retained deployments: images a prune keeps. */
export function retainedImageDigests(store: Store): string[] {
  return store.operations.retainedDeployments().flatMap((op) => (op.state.artifact ? [op.state.artifact.digest, op.state.artifact.manifestDigest] : []));
}

/**
 * A runtime deployment (the driver's id, `state.deploymentId`) as users name it: the id of the
 * operation that deployed it, as ListServiceDeployments, RollbackService and the deployment
 * log show it. Looked for among the service's latest operations; the runtime id when none has it.
 */
export function publicDeploymentId(store: Store, serviceArn: string, runtimeDeploymentId: string, lookBack = 50): string {
  if (runtimeDeploymentId === "") return runtimeDeploymentId;
  return store.operations.listForService(serviceArn, undefined, lookBack).find((op) => op.state.deploymentId === runtimeDeploymentId)?.id ?? runtimeDeploymentId;
}

/**
 * The retained deployment serving now (the operation whose runtime deployment is the service's
 * current one), as users name it: its operation id.
 */
export function servingDeploymentId(store: Store, s: ServiceRow): string | undefined {
  const current = s.internal.currentDeploymentId;
  if (!current) return undefined;
  return store.operations.retainedDeployments(s.arn).find((op) => op.state.deploymentId === current)?.id;
}

/**
 * Drops the snapshots of the service's deployments past retention (inside the transaction
 * that records a new success): their images are no longer kept for a rollback.
 */
export function pruneRetained(store: Store, serviceArn: string, currentOperationId: string, keep?: number): void {
  const ops = store.operations.retainedDeployments(serviceArn);
  const drop = new Set(deploymentsToDrop(ops.map((op) => ({ deploymentId: op.id })), currentOperationId, keep));
  for (const op of ops) {
    if (!drop.has(op.id)) continue;
    const { deployed: _dropped, ...state } = op.state;
    store.operations.update({ ...op, state });
  }
}

/**
 * OpenRunner's RollbackService: writes the chosen deployment's configuration on the service
 * (what it replaces is kept to restore on failure) and starts a START_DEPLOYMENT that deploys
 * its image digest through the normal health-gated path. Returns the operation and the target.
 */
export function startRollback(deps: LifecycleDeps, s: ServiceRow, requested?: string): { operationId: string; target: RetainedDeployment } {
  const open = deps.store.operations.openForService(s.arn);
  assertCanStart(s, "START_DEPLOYMENT", open.length > 0, open.some((o) => o.type === "DELETE_SERVICE"));
  const target = rollbackTarget(retainedDeployments(deps.store, s.arn), servingDeploymentId(deps.store, s), requested);
  const previous = snapshotOf(s.doc).configuration;
  const restored = target.snapshot.configuration;
  // As Render does: automatic deployment would put the tag's (or branch's) newer version back at
  // once, so a rollback turns it off; UpdateService turns it on again (a failed rollback restores it).
  const source = restored.SourceConfiguration ? { ...restored.SourceConfiguration, AutoDeploymentsEnabled: false } : restored.SourceConfiguration;
  s.doc = { ...s.doc, ...restored, SourceConfiguration: source };
  const operationId = startOperation(deps, s, {
    type: "START_DEPLOYMENT",
    rollback: { deploymentId: target.deploymentId, imageDigest: target.imageDigest, previous },
  });
  return { operationId, target };
}
