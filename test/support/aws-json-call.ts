import type { Credentials } from "./harness.js";
import { fetchHeaders, signRequest } from "./sigv4-signer.js";

/** The APIs OpenRunner serves over AWS JSON: how a raw call to each is addressed and signed. */
export const JSON_APIS = {
  apprunner: { prefix: "AppRunner", service: "apprunner", version: "1.0" },
  openrunner: { prefix: "OpenRunner", service: "apprunner", version: "1.0" },
  logs: { prefix: "Logs_20140328", service: "logs", version: "1.1" },
  events: { prefix: "AWSEvents", service: "events", version: "1.1" },
  cloudwatch: { prefix: "GraniteServiceVersion20100801", service: "monitoring", version: "1.0" },
  cloudtrail: { prefix: "CloudTrail_20131101", service: "cloudtrail", version: "1.1" },
  ecr: { prefix: "AmazonEC2ContainerRegistry_V20150921", service: "ecr", version: "1.1" },
  secretsmanager: { prefix: "secretsmanager", service: "secretsmanager", version: "1.1" },
  ssm: { prefix: "AmazonSSM", service: "ssm", version: "1.1" },
  kms: { prefix: "TrentService", service: "kms", version: "1.1" },
} as const;

export type JsonApiName = keyof typeof JSON_APIS;

export interface JsonAnswer {
  status: number;
  /** `__type` of an error answer (x-amzn-ErrorType agrees). */
  type: string | undefined;
  body: Record<string, unknown>;
}

/**
 * One call signed by the AWS SDK's signer, body as given (a string is sent as bytes: fetch
 * would add an unsigned Content-Type of its own). Refusals come back as answers, not throws.
 */
export async function awsJsonCall(endpoint: string, credentials: Credentials, api: JsonApiName, operation: string, body: string): Promise<JsonAnswer> {
  const a = JSON_APIS[api];
  const url = `${endpoint}/`;
  const signed = await signRequest({
    url,
    body,
    service: a.service,
    credentials,
    headers: { "content-type": `application/x-amz-json-${a.version}`, "x-amz-target": `${a.prefix}.${operation}` },
  });
  const res = await fetch(url, { method: "POST", headers: fetchHeaders(signed), body: Buffer.from(body) });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  const type = typeof parsed.__type === "string" ? parsed.__type : undefined;
  return { status: res.status, type, body: parsed };
}
