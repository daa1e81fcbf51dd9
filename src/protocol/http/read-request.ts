import type { IncomingMessage } from "node:http";
import type { SignedHead, SignedRequest } from "../../iam/sigv4/verify.js";

/** Headers as SigV4 sees them: lower-cased names, every value in arrival order. */
export function signedHeadOf(req: IncomingMessage): SignedHead {
  const headers = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? "").toLowerCase();
    const value = raw[i + 1] ?? "";
    // One lookup per header, one write per new name (a repeat is appended in place).
    const list = headers.get(name);
    if (list === undefined) headers.set(name, [value]);
    else list.push(value);
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
