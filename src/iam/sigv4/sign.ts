import { createHmac } from "node:crypto";
import { canonicalRequest, sha256Hex, signingKey, stringToSign } from "./canonical.js";
import { formatAmzDate } from "./verify.js";

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  url: URL;
  method: string;
  /** Header names lower-case; every one of them is signed, with `host` and `x-amz-date`. */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  now: number;
}

/**
 * Signs a request with SigV4 (the verifier's own canonical form, so OpenRunner's CLI needs no
 * AWS SDK at run time): the headers to send, Authorization included.
 */
export function signRequest(req: RequestToSign, credentials: SigningCredentials): Record<string, string> {
  const amzDate = formatAmzDate(req.now);
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...req.headers, host: req.url.host, "x-amz-date": amzDate };
  const signed = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: req.method,
    rawPath: req.url.pathname,
    rawQuery: req.url.search.replace(/^\?/, ""),
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    signedHeaders: signed,
    payloadHash: sha256Hex(req.body),
  });
  const scope = `${date}/${req.region}/${req.service}/aws4_request`;
  const signature = createHmac("sha256", signingKey(credentials.secretAccessKey, date, req.region, req.service))
    .update(stringToSign(amzDate, scope, canonical))
    .digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
  };
}
