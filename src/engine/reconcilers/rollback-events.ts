import type { RollbackRequest } from "../../domain/operation-request.js";
import { operationEvent, type OperationEvent } from "../../domain/service-events.js";

type Phase = "Started" | "CompletedSuccessfully" | "Failed";

const VERB: Record<Phase, string> = { Started: "started", CompletedSuccessfully: "completed", Failed: "failed" };

/**
 * A rollback's "Service Operation Status Change": App Runner's Deployment* status codes (what
 * rules and clients match on, a rollback being a START_DEPLOYMENT), with a message naming what
 * it deploys again.
 */
export function rollbackEvent(rollback: RollbackRequest, phase: Phase): OperationEvent {
  const failed = phase === "Failed" ? " For details, see service logs." : "";
  return { ...operationEvent("START_DEPLOYMENT", phase), message: `${rollbackLogLine(rollback, phase)}${failed}` };
}

/** "Rollback to deployment <id> (image sha256:…) started." for the deployment log and the events. */
export function rollbackLogLine(rollback: RollbackRequest, phase: Phase): string {
  return `Rollback to deployment ${rollback.deploymentId} (image ${rollback.imageDigest}) ${VERB[phase]}.`;
}
