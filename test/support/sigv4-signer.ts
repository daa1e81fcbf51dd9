import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, HttpRequest, SourceData } from "@smithy/types";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { SignedRequest } from "../../src/iam/sigv4/verify.js";

/**
 * Requests are signed by the AWS SDK's own signer (not ours), so the verifier is checked
 * against an independent implementation. @aws-crypto is not installed; this is the SHA-256
 * (plain or HMAC) the signer asks for, on node:crypto.
 */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key =
      typeof this.secret === "string"
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac("sha256", key);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface SignOptions {
  /** Full URL; its host (with port) is the signed `host` header. */
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** With a sessionToken, the signer sends and signs X-Amz-Security-Token, as the SDKs do. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
  service?: string;
  method?: string;
  signingDate?: Date;
  /** Headers left out of the signature (to build an unsigned-host request, for example). */
  unsigned?: string[];
}

/** Signs like the SDK does and returns the signed request (headers include host). */
export async function signRequest(o: SignOptions): Promise<HttpRequest> {
  const url = new URL(o.url);
  const signer = new SignatureV4({
    service: o.service ?? "apprunner",
    region: o.region ?? "us-east-1",
    credentials: o.credentials,
    sha256: NodeSha256,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const request: HttpRequest = {
    method: o.method ?? "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...o.headers },
    body: o.body,
  };
  return signer.sign(request, {
    signingDate: o.signingDate,
    unsignableHeaders: o.unsigned ? new Set(o.unsigned) : undefined,
  });
}

/** The signed request as the server's verifier sees it (lower-cased names, values in order). */
export function asSignedRequest(req: HttpRequest, body: string = String(req.body ?? "")): SignedRequest {
  const headers = new Map<string, string[]>();
  for (const [name, value] of Object.entries(req.headers)) headers.set(name.toLowerCase(), [value]);
  const rawQuery = new URLSearchParams(Object.entries(req.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
  return { method: req.method, rawPath: req.path, rawQuery, headers, body: Buffer.from(body) };
}

/** Headers to hand to fetch: undici sets Host itself (from the URL, the value that was signed). */
export function fetchHeaders(req: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (name.toLowerCase() !== "host") out[name] = value;
  return out;
}
