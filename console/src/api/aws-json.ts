import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { AwsApiError } from "./errors";
import { signedPost } from "./signed-post";

/** One AWS JSON API on the console's endpoint, as its SigV4 name and X-Amz-Target prefix say. */
export interface AwsJsonTarget {
  signingName: string;
  targetPrefix: string;
  jsonVersion: "1.0" | "1.1";
}

/**
 * Calls `<targetPrefix>.<operation>` on the same endpoint, signed with the App Runner client's
 * credentials, region and SHA-256, for an API the console has no SDK client of (OpenRunner's
 * own operations; ECR, whose client would add to the bundle for three read operations).
 */
export async function callAwsJson(apprunner: AppRunnerClient, target: AwsJsonTarget, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const res = await signedPost(
    apprunner,
    target.signingName,
    { "content-type": `application/x-amz-json-${target.jsonVersion}`, "x-amz-target": `${target.targetPrefix}.${operation}` },
    JSON.stringify(input),
  );
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON (a proxy's page, a 404 of a server without the API): reported below by status.
  }
  if (!res.ok) {
    // `__type` may carry a namespace (`com.amazonaws.ecr#RepositoryNotFoundException`).
    const type = String(parsed.__type ?? res.headers.get("x-amzn-ErrorType") ?? `HTTP ${res.status}`).split("#").pop()?.split(":")[0] ?? "";
    throw new AwsApiError(type, String(parsed.Message ?? parsed.message ?? ""), res.status);
  }
  return parsed;
}
