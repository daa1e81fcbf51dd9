import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { OperationType } from "../../store/operations.js";
import { deployReconciler } from "./deploy.js";
import { deleteReconciler, pauseReconciler } from "./lifecycle.js";
import type { Reconciler } from "./types.js";

export const RECONCILERS: Record<OperationType, Reconciler> = {
  CREATE_SERVICE: deployReconciler("CREATE_SERVICE"),
  UPDATE_SERVICE: deployReconciler("UPDATE_SERVICE"),
  START_DEPLOYMENT: deployReconciler("START_DEPLOYMENT"),
  RESUME_SERVICE: deployReconciler("RESUME_SERVICE"),
  PAUSE_SERVICE: pauseReconciler,
  DELETE_SERVICE: deleteReconciler,
};

/**
 * Where an operation of `type` begins: its reconciler's first phase (phases are listed in the
 * order they run). The engine owns its phase names; whoever records an operation asks here.
 */
export function firstPhaseOf(type: OperationType): string {
  const first = Object.keys(RECONCILERS[type].phases)[0];
  if (first === undefined) throw new AppRunnerError("InternalServiceError", `The ${type} reconciler has no phases.`);
  return first;
}
