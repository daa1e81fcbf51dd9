import { createHash } from "node:crypto";
import { invalidNextToken } from "./errors.js";

/**
 * Paging tokens: an offset plus a fingerprint of the request that produced it, so a token
 * replayed with different parameters is refused (InvalidNextToken) instead of paging wrongly.
 */
export const fingerprint = (request: unknown): string => createHash("sha256").update(JSON.stringify(request)).digest("hex").slice(0, 16);

export const encodeToken = (offset: number, print: string): string => Buffer.from(JSON.stringify({ o: offset, f: print })).toString("base64url");

export function decodeToken(token: string | undefined, print: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.f === print) return parsed.o;
  } catch {
    // Not ours: refused below.
  }
  throw invalidNextToken();
}
