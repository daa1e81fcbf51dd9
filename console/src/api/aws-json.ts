import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";

/** One AWS JSON API on the console's endpoint, as its SigV4 name and X-Amz-Target prefix say. */
export interface AwsJsonTarget {
  signingName: string;
  targetPrefix: string;
  jsonVersion: "1.0" | "1.1";
}

/**
 * An error answered by an AWS JSON API: `name` is the AWS error type (InvalidRequestException,
 * RepositoryNotFoundException…), `message` the API's words, `status` the HTTP status.
 */
export class AwsJsonError extends Error {
  constructor(
    type: string,
    message: string,
    readonly status: number,
  ) {
    super(message || type);
    this.name = type;
  }
}

/**
 * Calls `<targetPrefix>.<operation>` on the same endpoint, signed with the App Runner client's
 * credentials, region and SHA-256, for an API the console has no SDK client of (OpenRunner's
 * own operations; ECR, whose client would add to the bundle for three read operations).
 */
export async function callAwsJson(apprunner: AppRunnerClient, target: AwsJsonTarget, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const { credentials, region, sha256 } = apprunner.config;
  const signer = new SignatureV4({ service: target.signingName, region, credentials, sha256 });
  const url = new URL("/", window.location.origin);
  const body = JSON.stringify(input);
  const request: HttpRequest = {
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    // The browser sends Host itself, with the value signed here.
    headers: {
      host: url.host,
      "content-type": `application/x-amz-json-${target.jsonVersion}`,
      "x-amz-target": `${target.targetPrefix}.${operation}`,
    },
    body,
  };
  const signed = await signer.sign(request);
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== "host"));
  const res = await fetch(url, { method: "POST", headers, body, cache: "no-store", credentials: "omit" });
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
    throw new AwsJsonError(type, String(parsed.Message ?? parsed.message ?? ""), res.status);
  }
  return parsed;
}
