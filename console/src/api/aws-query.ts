import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { AwsApiError } from "./errors";
import { signedPost } from "./signed-post";
import { xmlText } from "./xml-text";

/** One awsQuery API on the console's endpoint (STS, IAM): its SigV4 name and API version. */
export interface AwsQueryTarget {
  signingName: string;
  version: string;
}

/**
 * `Action=<operation>&Version=…` form-encoded, as the SDKs send awsQuery calls; the answer's
 * XML, or an AwsApiError named by the ErrorResponse's `<Code>` (AccessDenied, ExpiredToken…).
 */
export async function callAwsQuery(apprunner: AppRunnerClient, target: AwsQueryTarget, operation: string, params: Record<string, string> = {}): Promise<string> {
  const body = new URLSearchParams({ Action: operation, Version: target.version, ...params }).toString();
  const res = await signedPost(apprunner, target.signingName, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body);
  const text = await res.text();
  if (!res.ok) throw new AwsApiError(xmlText(text, "Code") ?? `HTTP ${res.status}`, xmlText(text, "Message") ?? "", res.status);
  return text;
}
