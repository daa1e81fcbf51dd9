import { AppRunnerError } from "../errors/app-runner-error.js";
import type { OperationState, OperationType } from "../store/operations.js";
import type { ServiceDoc } from "./service-record.js";

/** The configuration an UpdateService replaced, kept so a rollback can restore it. */
export type PreviousConfiguration = Pick<
  ServiceDoc,
  | "SourceConfiguration"
  | "InstanceConfiguration"
  | "HealthCheckConfiguration"
  | "AutoScalingConfigurationSummary"
  | "NetworkConfiguration"
  | "ObservabilityConfiguration"
>;

/**
 * OpenRunner's RollbackService: a START_DEPLOYMENT (the type every App Runner client knows) of a
 * retained deployment's image digest, with its configuration already written on the service;
 * `previous` is what that replaced, restored when the rollback fails.
 */
export interface RollbackRequest {
  /** The retained deployment deployed again (its operation's id). */
  deploymentId: string;
  /** Its image digest: the artifact phase finds exactly this, no pull of a tag, no build. */
  imageDigest: string;
  previous: PreviousConfiguration;
}

/**
 * What each operation type asks of the engine: the contract between the API (and automatic
 * deployment), which writes it, and the engine, which reads it back with `requestOf`.
 */
export interface OperationRequests {
  CREATE_SERVICE: object;
  /** `previous` is restored when the update fails; `sourceChanged` picks the success message. */
  UPDATE_SERVICE: { previous?: PreviousConfiguration; sourceChanged?: boolean };
  /** `trigger`: what started it when no API call did (automatic deployment: IMAGE_UPDATE, CODE_COMMIT). */
  START_DEPLOYMENT: { trigger?: string; rollback?: RollbackRequest };
  PAUSE_SERVICE: object;
  RESUME_SERVICE: object;
  DELETE_SERVICE: object;
}

export type OperationRequest<T extends OperationType = OperationType> = { [K in T]: { type: K } & OperationRequests[K] }[T];

/** The request members of an operation's stored state: the JSON shape every version has written. */
export type StoredRequest = Omit<OperationState, "phase">;

/**
 * The request as stored beside the engine's progress. The shape is the one earlier versions
 * wrote (`trigger` and `sourceChanged` at the top, `request.previous`), so operations in flight
 * across an upgrade still load.
 */
export function storedRequest(req: OperationRequest): StoredRequest {
  switch (req.type) {
    case "UPDATE_SERVICE":
      return {
        ...(req.sourceChanged !== undefined ? { sourceChanged: req.sourceChanged } : {}),
        ...(req.previous ? { request: { previous: req.previous } } : {}),
      };
    case "START_DEPLOYMENT":
      return { ...(req.trigger !== undefined ? { trigger: req.trigger } : {}), ...(req.rollback ? { rollback: req.rollback } : {}) };
    default:
      return {};
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function malformed(type: OperationType, member: string): AppRunnerError {
  return new AppRunnerError("InternalServiceError", `The stored request of a ${type} operation has a malformed ${member}.`);
}

/** Reads an operation's request back from its stored state, checking every member it uses. */
export function requestOf<T extends OperationType>(type: T, state: OperationState): OperationRequest<T> {
  switch (type) {
    case "UPDATE_SERVICE": {
      if (state.sourceChanged !== undefined && typeof state.sourceChanged !== "boolean") throw malformed(type, "sourceChanged");
      const stored: unknown = state.request;
      if (stored !== undefined && !isRecord(stored)) throw malformed(type, "request");
      const previous = stored?.previous;
      if (previous !== undefined && previous !== null && !isRecord(previous)) throw malformed(type, "request.previous");
      const req: OperationRequest<"UPDATE_SERVICE"> = {
        type,
        ...(state.sourceChanged !== undefined ? { sourceChanged: state.sourceChanged } : {}),
        ...(previous ? { previous: previous as PreviousConfiguration } : {}),
      };
      return req as OperationRequest<T>;
    }
    case "START_DEPLOYMENT": {
      if (state.trigger !== undefined && typeof state.trigger !== "string") throw malformed(type, "trigger");
      const rollback = rollbackOf(state.rollback);
      const req: OperationRequest<"START_DEPLOYMENT"> = {
        type,
        ...(state.trigger !== undefined ? { trigger: state.trigger } : {}),
        ...(rollback ? { rollback } : {}),
      };
      return req as OperationRequest<T>;
    }
    default:
      return { type } as OperationRequest<T>;
  }
}

function rollbackOf(stored: unknown): RollbackRequest | undefined {
  if (stored === undefined || stored === null) return undefined;
  if (!isRecord(stored) || typeof stored.deploymentId !== "string" || typeof stored.imageDigest !== "string" || !isRecord(stored.previous)) {
    throw malformed("START_DEPLOYMENT", "rollback");
  }
  return { deploymentId: stored.deploymentId, imageDigest: stored.imageDigest, previous: stored.previous as PreviousConfiguration };
}
