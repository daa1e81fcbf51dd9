import type { IncomingMessage } from "node:http";
import type { SignedHead, SignedRequest } from "../../iam/sigv4/verify.js";

/** Headers as SigV4 sees them: lower-cased names, every value in arrival order. */
export function signedHeadOf(req: IncomingMessage): SignedHead {
  const headers = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? "").toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(raw[i + 1] ?? "");
    headers.set(name, list);
  }
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    headers,
  };
}

export function signedRequestOf(req: IncomingMessage, body: Buffer): SignedRequest {
  return { ...signedHeadOf(req), body };
}
