import type { ModelChecks } from "../model/validate.js";
import type { ServiceModel } from "../model/model.js";
import type { OperationHandler } from "./context.js";
import type { AuthorizationRequest, CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";

/**
 * One AWS JSON API served on the endpoint (App Runner, CloudWatch Logs, EventBridge,
 * CloudWatch, CloudTrail), chosen by the X-Amz-Target prefix. `Deps` is what its handlers
 * need beyond the call; the endpoint serving it must supply them. Plain `AwsJsonApi` is any
 * API as the limits and the audit trail see it: described, its operations never called.
 */
export interface AwsJsonApi<Deps = never> {
  targetPrefix: string;
  signingName: string;
  jsonVersion: "1.0" | "1.1";
  /** botocore's model of the operations served: each input is checked against it before its handler runs. */
  model?: ServiceModel;
  /** What the model checks: "all" (the default) or "types" when handlers check constraints in their service's words. */
  modelChecks?: ModelChecks;
  /**
   * How the audit trail hides secrets: by the model's `sensitive` shapes (the default with a
   * model) or by member names, for models that do not mark them (src/telemetry/audit/redact-unmodeled.ts).
   */
  trailRedaction?: "model" | "names";
  /** The largest request body an operation takes (AWS's own limits where it has them); DEFAULT_MAX_BODY_BYTES otherwise. */
  maxBodyBytes?: { default?: number; operations?: Record<string, number> };
  operations: Record<string, OperationHandler<Deps>>;
  /**
   * How IAM names this API's calls: the action prefix (`apprunner`, `logs`, `ecr`, ...) and,
   * per operation, what the call does (its resource ARN, its condition keys, iam:PassRole for a
   * role it is given). Without `requestsOf` (or when it returns undefined for an operation) a call
   * is `<prefix>:<Operation>` on "*".
   */
  authorization?: {
    actionPrefix: string;
    requestsOf?: (operation: string, input: Record<string, unknown>, principal: Principal) => readonly AuthorizationRequest[] | undefined;
    /**
     * Decides the requests instead of the identity-only authorizer, for an API whose resources
     * carry their own policies (KMS: a key's policy together with the caller's identity
     * policies). Throws AppRunnerError("AccessDenied") as the authorizer does.
     */
    authorize?: (principal: Principal, requests: readonly AuthorizationRequest[], call: CallFacts) => void;
  };
}

/** What an API whose limits say nothing more takes: far above any request of the models served, far below what hurts. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export function maxBodyBytesOf(api: AwsJsonApi | undefined, operation: string | undefined): number {
  const limits = api?.maxBodyBytes;
  const perOperation = operation !== undefined && limits?.operations && Object.hasOwn(limits.operations, operation) ? limits.operations[operation] : undefined;
  return perOperation ?? limits?.default ?? DEFAULT_MAX_BODY_BYTES;
}

/** Whether `operation` is one `api` serves (not merely a name the caller put in X-Amz-Target). */
export const servesOperation = (api: AwsJsonApi | undefined, operation: string | undefined): boolean =>
  api !== undefined && operation !== undefined && Object.hasOwn(api.operations, operation);

/** A call about to run: authenticated, parsed and validated. */
export interface ApiCallAdmission {
  api: AwsJsonApi;
  operation: string;
  requestId: string;
  input: Record<string, unknown>;
}

/**
 * Asked before a call runs; throws when the call must not run (the audit trail could not
 * record it). The call is then answered with that error and recorded as refused.
 */
export type ApiCallGate = (call: ApiCallAdmission) => void;

/** What the audit trail receives for every call, successful or not. */
export interface ApiCallRecord {
  api: AwsJsonApi | undefined;
  operation: string | undefined;
  requestId: string;
  time: number;
  sourceIp: string;
  userAgent: string;
  accessKeyId: string | undefined;
  /**
   * Who called, when the call was signed with no key of its own: App Runner's reads with a
   * service's instance role (a role session without credentials). Otherwise found by accessKeyId.
   */
  principal?: Principal;
  input: unknown;
  output: unknown;
  errorCode: string | undefined;
  errorMessage: string | undefined;
}

export type ApiCallListener = (call: ApiCallRecord) => void;

/** What a call of `api` asks IAM to allow (see AwsJsonApi.authorization). */
export function authorizationRequestsOf(
  api: AwsJsonApi,
  operation: string,
  input: Record<string, unknown>,
  principal: Principal,
): readonly AuthorizationRequest[] {
  const prefix = api.authorization?.actionPrefix ?? api.signingName;
  return api.authorization?.requestsOf?.(operation, input, principal) ?? [{ action: `${prefix}:${operation}`, resource: "*" }];
}
