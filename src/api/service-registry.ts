import type { ServiceModel } from "../model/model.js";
import type { OperationHandler } from "./context.js";

/**
 * One AWS JSON API served on the endpoint (App Runner now; CloudWatch Logs, EventBridge and
 * CloudTrail later), chosen by the X-Amz-Target prefix.
 */
export interface AwsJsonApi {
  targetPrefix: string;
  signingName: string;
  jsonVersion: "1.0" | "1.1";
  /** The model whose shapes validate input; undefined for APIs validated by hand. */
  model?: ServiceModel;
  operations: Record<string, OperationHandler>;
}

/** What the audit trail receives for every call, successful or not. */
export interface ApiCallRecord {
  api: AwsJsonApi | undefined;
  operation: string | undefined;
  requestId: string;
  time: number;
  sourceIp: string;
  userAgent: string;
  accessKeyId: string | undefined;
  input: unknown;
  output: unknown;
  errorCode: string | undefined;
  errorMessage: string | undefined;
}

export type ApiCallListener = (call: ApiCallRecord) => void;
