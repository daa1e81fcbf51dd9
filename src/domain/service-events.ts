import type { OperationType } from "../store/operations.js";

export type Severity = "INFO" | "ERROR";

/**
 * The Status codes and Messages of App Runner's "Service Operation Status Change" events,
 * exactly as the developer guide's event reference lists them.
 */
export const OPERATION_EVENTS = {
  CreateServiceStarted: "Service creation started.",
  CreateServiceCompletedSuccessfully: "Service creation completed successfully.",
  CreateServiceFailed: "Service creation failed. For details, see service logs.",
  DeleteServiceStarted: "Service deletion started.",
  DeleteServiceCompletedSuccessfully: "Service deletion completed successfully.",
  DeleteServiceFailed: "Service deletion failed.",
  UpdateServiceStarted: "Service update started.",
  UpdateServiceCompletedSuccessfully: "Service update completed successfully. New application and configuration is deployed.",
  UpdateServiceFailed: "Service update failed. For details, see service logs.",
  DeploymentStarted: "Deployment started.",
  DeploymentCompletedSuccessfully: "Deployment completed successfully.",
  DeploymentFailed: "Deployment failed. For details, see service logs.",
  PauseServiceStarted: "Service pause started.",
  PauseServiceCompletedSuccessfully: "Service pause completed successfully.",
  PauseServiceFailed: "Service pause failed.",
  ResumeServiceStarted: "Service resume started.",
  ResumeServiceCompletedSuccessfully: "Service resume completed successfully.",
  ResumeServiceFailed: "Service resume failed.",
} as const;

export type OperationEventStatus = keyof typeof OPERATION_EVENTS;

/** The guide's second message for an update that changed only configuration. */
export const UPDATE_CONFIGURATION_ONLY_MESSAGE = "Service update completed successfully. New configuration is deployed.";

type Phase = "Started" | "CompletedSuccessfully" | "Failed";

const PREFIX: Record<OperationType, string> = {
  CREATE_SERVICE: "CreateService",
  DELETE_SERVICE: "DeleteService",
  UPDATE_SERVICE: "UpdateService",
  START_DEPLOYMENT: "Deployment",
  PAUSE_SERVICE: "PauseService",
  RESUME_SERVICE: "ResumeService",
};

export interface OperationEvent {
  status: OperationEventStatus;
  message: string;
  severity: Severity;
}

/** The event for an operation of `type` reaching `phase`. */
export function operationEvent(type: OperationType, phase: Phase, opts: { sourceChanged?: boolean } = {}): OperationEvent {
  const status = `${PREFIX[type]}${phase}` as OperationEventStatus;
  const message =
    status === "UpdateServiceCompletedSuccessfully" && opts.sourceChanged === false
      ? UPDATE_CONFIGURATION_ONLY_MESSAGE
      : OPERATION_EVENTS[status];
  return { status, message, severity: phase === "Failed" ? "ERROR" : "INFO" };
}

/** "Service Status Change": the message names the new status; failures are errors. */
export function serviceStatusEvent(current: string): { message: string; severity: Severity } {
  return {
    message: `Service status is set to ${current}.`,
    severity: current === "CREATE_FAILED" || current === "DELETE_FAILED" ? "ERROR" : "INFO",
  };
}
