import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";

/**
 * POSTs `body` to `/` on this origin, signed with SigV4 for `signingName` with the App Runner
 * client's credentials, region and SHA-256: the calls the console makes without an SDK client
 * are signed exactly as the SDK's are, temporary credentials' session token included (the
 * signer sends it as X-Amz-Security-Token).
 */
export async function signedPost(apprunner: AppRunnerClient, signingName: string, headers: Record<string, string>, body: string): Promise<Response> {
  const { credentials, region, sha256 } = apprunner.config;
  const signer = new SignatureV4({ service: signingName, region, credentials, sha256 });
  const url = new URL("/", window.location.origin);
  const request: HttpRequest = {
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    // The browser sends Host itself, with the value signed here.
    headers: { host: url.host, ...headers },
    body,
  };
  const signed = await signer.sign(request);
  const sent = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== "host"));
  return fetch(url, { method: "POST", headers: sent, body, cache: "no-store", credentials: "omit" });
}
