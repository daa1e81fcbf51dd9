import { createHash, timingSafeEqual } from "node:crypto";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Clock } from "../../util/clock.js";
import { parseAuthorization, type ParsedAuthorization } from "./authorization.js";
import type { Principal } from "../principal.js";
import { canonicalRequest, sha256Hex, signatureMatches, stringToSign } from "./canonical.js";

/** What the verifier needs of an HTTP request; header names lower-cased, values in arrival order. */
export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

/** A request before its body is read: everything SigV4 checks except the payload and the HMAC. */
export type SignedHead = Omit<SignedRequest, "body">;

export type { Principal } from "../principal.js";

/** A key the lookup knows: its secret, who it belongs to and, for temporary credentials, their session. */
export interface FoundKey {
  secretAccessKey: string;
  principal: Principal;
  /**
   * Temporary credentials (ASIA…) only: the SHA-256 (hex) of the session token that must come
   * with every request signed with them (X-Amz-Security-Token), and when they expire (ms).
   */
  session?: { tokenSha256: string; expiresAt: number };
}

export interface CredentialLookup {
  /** Active keys only: an inactive or deleted key, or an unknown one, is undefined. */
  find(accessKeyId: string): FoundKey | undefined;
}

export interface VerifyOptions {
  signingName: string;
  region: string;
  clock: Clock;
  /** AWS allows 15 minutes between the client's clock and its own. */
  maxSkewMs?: number;
  /**
   * Headers that, when the request has them, must be among the signed ones because they choose
   * what runs (X-Amz-Target and Content-Type for the JSON protocols): unsigned, they could be
   * changed in flight and a signed Describe would run as a Delete.
   */
  mustSign?: readonly string[];
  /**
   * Regions a credential scope may name besides `region`: IAM and STS are global services that
   * clients sign for us-east-1 whatever region they are configured for.
   */
  alsoRegions?: readonly string[];
}

/** A request whose Authorization header, credential, scope and date passed: only the body and the HMAC are left. */
export interface CheckedCredential {
  auth: ParsedAuthorization;
  secretAccessKey: string;
  principal: Principal;
  /** The signing time in ISO basic format, as in the string to sign. */
  isoDate: string;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** A SigV4 signature is a SHA-256 HMAC in lower-case hex: exactly 64 characters. */
const SIGNATURE = /^[0-9a-f]{64}$/;

/** Headers a request may carry once only: a second copy would be read one way by the verifier and another by the handler. */
const SINGLE_HEADERS = ["authorization", "x-amz-date", "date", "host", "x-amz-target", "content-type", "x-amz-content-sha256", "x-amz-security-token"];

/** Temporary credentials' session token, which SDKs send (and sign) with every request they sign with them. */
const SECURITY_TOKEN = "x-amz-security-token";

const INVALID_TOKEN = "The security token included in the request is invalid.";

const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** `20260102T030405Z` <-> milliseconds. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export const formatAmzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** A signing time: the header's text, milliseconds, the ISO basic form and its day (YYYYMMDD). */
interface SigningTime {
  raw: string;
  at: number;
  iso: string;
  day: string;
}

/** Every request a client signs within a second carries the same X-Amz-Date: the last one read is kept. */
let lastSigningTime: SigningTime | undefined;

function signingTimeOf(raw: string): SigningTime | undefined {
  if (lastSigningTime !== undefined && lastSigningTime.raw === raw) return lastSigningTime;
  const at = parseAmzDate(raw);
  if (at === undefined) return undefined;
  // Clients send X-Amz-Date in ISO basic format already; only a Date header needs reformatting.
  const iso = /^\d{8}T\d{6}Z$/.test(raw) ? raw : formatAmzDate(at);
  lastSigningTime = { raw, at, iso, day: iso.slice(0, 8) };
  return lastSigningTime;
}

const first = (req: SignedHead, name: string): string | undefined => req.headers.get(name)?.[0];

/** `x-amz-target` -> `X-Amz-Target`, as AWS names headers in its messages. */
const displayName = (name: string): string => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

/** A header the request carries must be among the signed ones (checked in turn: no list built per call). */
function mustBeSigned(req: SignedHead, auth: ParsedAuthorization, name: string): void {
  if (req.headers.has(name) && !auth.signedHeaders.includes(name)) {
    throw new AppRunnerError("InvalidSignature", `'${displayName(name)}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
}

/**
 * Everything SigV4 checks before the body is read: the Authorization header (once, complete),
 * the access key, the scope, the date and the signed headers. A caller without a known key is
 * refused here, before the server reads a byte of what it sent.
 */
export function checkCredential(req: SignedHead, keys: CredentialLookup, opts: VerifyOptions): CheckedCredential {
  const authorizations = req.headers.get("authorization") ?? [];
  const header = authorizations[0];
  if (header === undefined || header.trim() === "") {
    throw new AppRunnerError("MissingAuthenticationToken", "Missing Authentication Token");
  }
  for (const name of SINGLE_HEADERS) {
    if ((req.headers.get(name)?.length ?? 0) > 1) {
      throw new AppRunnerError("IncompleteSignature", `The request must carry exactly one '${displayName(name)}' header.`);
    }
  }
  const amzDate = first(req, "x-amz-date");
  const amzDateRaw = amzDate ?? first(req, "date");
  const auth = parseAuthorization(header, amzDateRaw !== undefined);
  const key = keys.find(auth.accessKeyId);
  if (!key) throw new AppRunnerError("UnrecognizedClient", INVALID_TOKEN);

  if (auth.terminator !== "aws4_request") {
    throw new AppRunnerError("InvalidSignature", "Credential should be scoped with a valid terminator: 'aws4_request', not '" + auth.terminator + "'.");
  }
  if (auth.service !== opts.signingName) {
    throw new AppRunnerError("InvalidSignature", `Credential should be scoped to correct service: '${opts.signingName}'. `);
  }
  if (auth.region !== opts.region && !(opts.alsoRegions ?? []).includes(auth.region)) {
    throw new AppRunnerError("InvalidSignature", "Credential should be scoped to a valid region. ");
  }
  if (!auth.signedHeaders.includes("host")) {
    throw new AppRunnerError("InvalidSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  mustBeSigned(req, auth, amzDate !== undefined ? "x-amz-date" : "date");
  // The session token names whose session a request runs as: unsigned, it could be swapped in flight.
  mustBeSigned(req, auth, SECURITY_TOKEN);
  for (const name of opts.mustSign ?? []) mustBeSigned(req, auth, name);
  const time = amzDateRaw === undefined ? undefined : signingTimeOf(amzDateRaw);
  if (time === undefined) {
    throw new AppRunnerError(
      "IncompleteSignature",
      `Date must be in ISO-8601 'basic format'. Got '${amzDateRaw ?? ""}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const { at: signedAt, iso: isoDate, day } = time;
  if (auth.date !== day) {
    throw new AppRunnerError(
      "InvalidSignature",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${day}', from '${isoDate}'.`,
    );
  }
  const now = opts.clock.now();
  checkSessionToken(key, first(req, SECURITY_TOKEN), now);
  const skew = opts.maxSkewMs ?? FIFTEEN_MINUTES;
  if (signedAt < now - skew) {
    throw new AppRunnerError(
      "InvalidSignature",
      `Signature expired: ${isoDate} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt > now + skew) {
    throw new AppRunnerError(
      "InvalidSignature",
      `Signature not yet current: ${isoDate} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
  // Compared as text, as AWS does: `Buffer.from(hex)` would stop at the first non-hex character
  // and accept trailing junk, an odd length or upper-case digits.
  if (!SIGNATURE.test(auth.signature)) throw new AppRunnerError("InvalidSignature", MISMATCH);
  return { auth, secretAccessKey: key.secretAccessKey, principal: key.principal, isoDate };
}

/**
 * Temporary credentials come with their session token, compared by SHA-256 in constant time;
 * a long-term key comes without one. Either mistake is AWS's "invalid token"; a right token past
 * its session's expiry is ExpiredToken.
 */
export function checkSessionToken(key: FoundKey, token: string | undefined, now: number): void {
  const given = token === undefined || token === "" ? undefined : token;
  if (!key.session) {
    if (given !== undefined) throw new AppRunnerError("UnrecognizedClient", INVALID_TOKEN);
    return;
  }
  const expected = Buffer.from(key.session.tokenSha256, "hex");
  const actual = given === undefined ? undefined : createHash("sha256").update(given, "utf8").digest();
  if (actual === undefined || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new AppRunnerError("UnrecognizedClient", INVALID_TOKEN);
  }
  if (now >= key.session.expiresAt) throw new AppRunnerError("ExpiredToken", "The security token included in the request is expired");
}

/** The rest of SigV4 once the body is read: the payload hash and the signature itself. */
export function checkSignature(checked: CheckedCredential, req: SignedHead, body: Buffer): Principal {
  const { auth, isoDate } = checked;
  const bodyHash = sha256Hex(body);
  const claimedHash = first(req, "x-amz-content-sha256");
  if (claimedHash !== undefined && claimedHash !== "UNSIGNED-PAYLOAD" && claimedHash !== bodyHash) {
    throw new AppRunnerError("InvalidSignature", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const canonical = canonicalRequest({
    method: req.method,
    rawPath: req.rawPath,
    rawQuery: req.rawQuery,
    headers: req.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: claimedHash ?? bodyHash,
  });
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  // The signature's form (64 lower-case hex digits) was checked by checkCredential, before the body was read.
  if (!signatureMatches(checked.secretAccessKey, auth.date, auth.region, auth.service, stringToSign(isoDate, scope, canonical), auth.signature)) {
    throw new AppRunnerError("InvalidSignature", MISMATCH);
  }
  return checked.principal;
}

/**
 * Verifies a SigV4-signed request and returns who signed it. Failures are the exceptions
 * and messages AWS's front door uses, so SDKs and the CLI show users what they expect.
 */
export function verifySigV4(req: SignedRequest, keys: CredentialLookup, opts: VerifyOptions): Principal {
  return checkSignature(checkCredential(req, keys, opts), req, req.body);
}
