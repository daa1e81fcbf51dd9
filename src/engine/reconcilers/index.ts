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
