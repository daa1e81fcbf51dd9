import { createHmac, hash } from "node:crypto";
import { HmacSha256 } from "./hmac.js";

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** One-shot: a Hash object per call cost ~2.5x as much for inputs this small (two per request, docs/performance.md). */
export const sha256Hex = (data: string | Buffer): string => hash("sha256", data, "hex");

const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data).digest();

/** One derived key: its scope, the key, and the key's HMAC pads for the signatures made with it. */
interface DerivedKey {
  date: string;
  region: string;
  service: string;
  key: Buffer;
  mac: HmacSha256;
}

/**
 * Derived keys change once a day per secret, so the four HMACs are done once, not per request.
 * Found by the secret, then by comparing the scope's three parts: a composite string key cost
 * a concatenation and a hash of ~70 characters per call.
 */
const derivedKeys = new Map<string, DerivedKey[]>();
const MAX_CACHED_SECRETS = 1000;
/** Scopes kept per secret, newest first: one a day per region and service the key signs for. */
const MAX_SCOPES_PER_SECRET = 8;

function derived(secret: string, date: string, region: string, service: string): DerivedKey {
  let scopes = derivedKeys.get(secret);
  if (scopes) {
    for (const d of scopes) if (d.date === date && d.region === region && d.service === service) return d;
  } else {
    if (derivedKeys.size >= MAX_CACHED_SECRETS) derivedKeys.clear();
    scopes = [];
    derivedKeys.set(secret, scopes);
  }
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const d: DerivedKey = { date, region, service, key, mac: new HmacSha256(key) };
  scopes.unshift(d);
  if (scopes.length > MAX_SCOPES_PER_SECRET) scopes.pop();
  return d;
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return derived(secret, date, region, service).key;
}

/** Whether `signature` (hex) signs `toSign` with the key derived for (secret, date, region, service); constant time. */
export function signatureMatches(secret: string, date: string, region: string, service: string, toSign: string, signature: string): boolean {
  return derived(secret, date, region, service).mac.matches(toSign, signature);
}

/** Every segment of the already-encoded path is encoded once more: non-S3 services double-encode. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "" || rawPath === "/") return "/";
  return rawPath
    .split("/")
    .map((seg) => uriEncode(seg))
    .join("/");
}

/**
 * Decodes each run of valid escapes and keeps a malformed one (`%zz`) as typed, as
 * URLSearchParams and the SDK's signer read it; decodeURIComponent on the whole part would
 * throw and turn the caller's bad query into a 500.
 */
function decodeQueryPart(s: string): string {
  return s.replace(/\+/g, " ").replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf("=");
      const k = decodeQueryPart(eq < 0 ? p : p.slice(0, eq));
      const v = eq < 0 ? "" : decodeQueryPart(p.slice(eq + 1));
      return [uriEncode(k), uriEncode(v)] as const;
    })
    .filter(([k]) => k !== "X-Amz-Signature");
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Whitespace a header value must lose: at either end, a run of two, or any but a space. */
const UNCANONICAL_SPACE = /^\s|\s$|\s\s|[\t\n\v\f\r]/;

/** Trimmed, inner runs of whitespace folded to one space; most values already are, and are kept as they are. */
const canonicalValue = (v: string): string => (UNCANONICAL_SPACE.test(v) ? v.trim().replace(/\s+/g, " ") : v);

/**
 * Header values are joined with commas, trimmed and inner runs of spaces folded. Built by
 * appending, not by mapping and joining arrays: SigV4's canonical request was the largest
 * allocation of a call after the HTTP parser's (docs/performance.md, "December (4)").
 */
export function canonicalHeaders(headers: Map<string, string[]>, signed: readonly string[]): string {
  let out = "";
  for (const name of signed) {
    out += `${name}:`;
    const values = headers.get(name);
    if (values) {
      for (let i = 0; i < values.length; i++) out += i === 0 ? canonicalValue(values[i] ?? "") : `,${canonicalValue(values[i] ?? "")}`;
    }
    out += "\n";
  }
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Map<string, string[]>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/**
 * A frozen signed-header list's text, kept with the list: parseAuthorization shares one frozen
 * list among all the headers a client signs alike, and joining it was ~3% of a verification.
 */
const signedTexts = new WeakMap<readonly string[], string>();

function signedHeadersText(signed: readonly string[]): string {
  let text = signedTexts.get(signed);
  if (text === undefined) {
    text = signed.join(";");
    if (Object.isFrozen(signed)) signedTexts.set(signed, text);
  }
  return text;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  return `${p.method}\n${canonicalUri(p.rawPath)}\n${canonicalQuery(p.rawQuery)}\n${canonicalHeaders(p.headers, p.signedHeaders)}\n${signedHeadersText(p.signedHeaders)}\n${p.payloadHash}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
