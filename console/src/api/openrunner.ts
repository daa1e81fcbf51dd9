import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";

/** What CompleteConnectionHandshake answers: the connection as App Runner's API shows it. */
export interface HandshakeConnection {
  ConnectionArn?: string;
  ConnectionName?: string;
  ProviderType?: string;
  Status?: string;
}

/** An OpenRunner API error: `name` is the AWS error type (InvalidRequestException…), `message` the API's words. */
export class OpenRunnerApiError extends Error {
  constructor(type: string, message: string) {
    super(message || type);
    this.name = type;
  }
}

/**
 * Calls one of OpenRunner's own operations (`X-Amz-Target: OpenRunner.<Operation>`, AWS JSON
 * 1.0) on the same endpoint, signed exactly as the App Runner client signs: SigV4 for
 * `apprunner`, with that client's credentials, region and SHA-256.
 */
async function callOpenRunner(apprunner: AppRunnerClient, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const { credentials, region, sha256 } = apprunner.config;
  const signer = new SignatureV4({ service: "apprunner", region, credentials, sha256 });
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
    headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": `OpenRunner.${operation}` },
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
    // Not JSON: reported below by status.
  }
  if (!res.ok) {
    const type = String(parsed.__type ?? res.headers.get("x-amzn-ErrorType") ?? `HTTP ${res.status}`).split("#").pop() ?? "";
    throw new OpenRunnerApiError(type, String(parsed.Message ?? parsed.message ?? ""));
  }
  return parsed;
}

/**
 * The console's "Complete handshake": hands the provider token to the server, which seals it
 * with its data directory's key. The token is sent once, over this signed call, and kept nowhere.
 */
export async function completeConnectionHandshake(apprunner: AppRunnerClient, connectionArn: string, token: string): Promise<HandshakeConnection> {
  const out = await callOpenRunner(apprunner, "CompleteConnectionHandshake", { ConnectionArn: connectionArn, Token: token });
  return (out.Connection ?? {}) as HandshakeConnection;
}
