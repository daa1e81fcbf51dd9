import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ERROR_CODES, type ErrorCode } from "../errors/codes.js";
import { signRequest, type SigningCredentials } from "../iam/sigv4/sign.js";

/** Where a running `openrunner up` of a data directory listens, and the root key it wrote there. */
export interface DataDirEndpoint {
  endpoint: string;
  region: string;
  credentials: SigningCredentials;
}

const valueIn = (text: string, name: string): string | undefined => new RegExp(`^${name}\\s*=\\s*(\\S+)\\s*$`, "m").exec(text)?.[1];

/** Reads `<data-dir>/credentials` and `<data-dir>/config` (the AWS CLI's files `openrunner up` writes). */
export function endpointOfDataDir(dataDir: string, endpointOverride?: string): DataDirEndpoint {
  const dir = resolve(dataDir);
  const credentialsFile = join(dir, "credentials");
  if (!existsSync(credentialsFile)) {
    throw new AppRunnerError("InvalidRequest", `no credentials in ${dir}: start 'openrunner up --data-dir ${dir}' first, or pass --data-dir`);
  }
  const credentials = readFileSync(credentialsFile, "utf8");
  const configFile = join(dir, "config");
  const config = existsSync(configFile) ? readFileSync(configFile, "utf8") : "";
  const endpoint = endpointOverride ?? valueIn(config, "endpoint_url");
  if (!endpoint) throw new AppRunnerError("InvalidRequest", `no endpoint_url in ${configFile}: pass --endpoint`);
  return {
    endpoint,
    region: valueIn(config, "region") ?? "us-east-1",
    credentials: { accessKeyId: valueIn(credentials, "aws_access_key_id") ?? "", secretAccessKey: valueIn(credentials, "aws_secret_access_key") ?? "" },
  };
}

/** The error code whose AWS exception name the server answered with (InternalServiceError when unknown). */
function codeOf(awsType: string): ErrorCode {
  const found = (Object.keys(ERROR_CODES) as ErrorCode[]).find((code) => ERROR_CODES[code].type === awsType);
  return found ?? "InternalServiceError";
}

/**
 * One AWS JSON 1.0 call signed as `apprunner` (App Runner's `AppRunner.*` and OpenRunner's
 * `OpenRunner.*` operations). A refusal is thrown as the AppRunnerError of its exception name.
 */
export async function callApi<T>(at: DataDirEndpoint, target: string, input: object, now = Date.now()): Promise<T> {
  const url = new URL("/", at.endpoint);
  const body = JSON.stringify(input);
  const headers = signRequest(
    { url, method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target }, body, region: at.region, service: "apprunner", now },
    at.credentials,
  );
  // fetch sends the URL's own host, the one signed; it may not be set by hand.
  const { host: _host, ...sent } = headers;
  const res = await fetch(url, { method: "POST", headers: sent, body });
  const text = await res.text();
  let answer: Record<string, unknown>;
  try {
    answer = (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>;
  } catch (err) {
    throw new AppRunnerError("InternalServiceError", `${at.endpoint} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
  if (!res.ok) {
    const type = String(answer.__type ?? "").split("#").pop() ?? "";
    const message = typeof answer.message === "string" ? answer.message : typeof answer.Message === "string" ? answer.Message : text;
    throw new AppRunnerError(codeOf(type), message);
  }
  return answer as T;
}
