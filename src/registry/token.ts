import { createHash, createPublicKey, sign, type KeyObject } from "node:crypto";

/**
 * Bearer tokens for the built-in registry, in the shape CNCF distribution 2.8's `auth.token`
 * verifies (registry/auth/token/token.go): a JWS (ES256 over P-256) whose header names the
 * signing key by `kid`, claims `iss`, `aud` (a string in 2.8), `exp`, `nbf`, `iat`, `jti` and
 * `access` (the Docker token spec's resource actions).
 *
 * Why `kid` and not `x5c`: 2.8 looks the kid up in the keys of `rootcertbundle`, keyed by their
 * libtrust key ID, so the certificate need not travel in every token; an `x5c` chain would also
 * be accepted but makes each token ~600 bytes longer for no gain.
 */

/** The token service's name (`service=` in challenges, `aud` in tokens) and its issuer. */
export const TOKEN_SERVICE = "openrunner-registry";
export const TOKEN_ISSUER = "openrunner";
/** Lifetime of a token handed to a client; it asks for a new one with its password when it runs out. */
export const TOKEN_SECONDS = 300;

/** One entry of the `access` claim. */
export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

/** A parsed `scope=` of a token request: `repository:<name>:pull,push`. */
export interface RequestedScope {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Pure: the scopes of a token request. A repository name may itself hold no colon, but the
 * resource type and actions are split from the ends (`repository:team/app:pull,push`); a
 * malformed scope is left out (the client then gets a token without it, as distribution's own
 * token servers do).
 */
export function parseScopes(scopes: readonly string[]): RequestedScope[] {
  const out: RequestedScope[] = [];
  for (const raw of scopes.flatMap((s) => s.split(" "))) {
    const first = raw.indexOf(":");
    const last = raw.lastIndexOf(":");
    if (first <= 0 || last === first) continue;
    const name = raw.slice(first + 1, last);
    const actions = raw.slice(last + 1).split(",").filter((a) => a !== "");
    if (name === "" || actions.length === 0) continue;
    out.push({ type: raw.slice(0, first), name, actions });
  }
  return out;
}

/** What the ECR side says of a repository a client asks for: undefined when it does not exist. */
export type RepositoryLookup = (name: string) => object | undefined;

/** Actions a client may be granted on a repository: ECR's push and pull, nothing else (no delete, no catalog). */
const CLIENT_ACTIONS = new Set(["pull", "push"]);

/**
 * Pure: the access a client holding a valid password gets. Only repositories the ECR side
 * knows, only pull and push; anything else asked is left out, so the registry answers 401
 * (insufficient scope) or the front door NAME_UNKNOWN, never serves it.
 */
export function grantedAccess(requested: readonly RequestedScope[], exists: RepositoryLookup): ResourceAccess[] {
  const out: ResourceAccess[] = [];
  for (const s of requested) {
    if (s.type !== "repository" || exists(s.name) === undefined) continue;
    const actions = [...new Set(s.actions.filter((a) => CLIENT_ACTIONS.has(a)))];
    if (actions.length > 0) out.push({ type: "repository", name: s.name, actions });
  }
  return out;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * libtrust's key ID of a public key (what distribution 2.8 keys `rootcertbundle` by): SHA-256
 * of the DER SubjectPublicKeyInfo, its first 240 bits in base32, in groups of four joined by ':'.
 */
export function libtrustKeyId(key: KeyObject): string {
  const der = (key.type === "public" ? key : createPublicKey(key)).export({ type: "spki", format: "der" });
  const encoded = base32(createHash("sha256").update(der).digest().subarray(0, 30));
  return encoded.match(/.{1,4}/g)?.join(":") ?? "";
}

export interface TokenClaims {
  subject: string;
  access: ResourceAccess[];
  issuedAtSeconds: number;
  expiresInSeconds: number;
  /** A unique id (jti). */
  id: string;
}

/** Signs a registry token (ES256, raw r||s signature as JWS wants it). */
export function signToken(claims: TokenClaims, key: KeyObject, keyId: string): string {
  const header = { typ: "JWT", alg: "ES256", kid: keyId };
  const body = {
    iss: TOKEN_ISSUER,
    sub: claims.subject,
    aud: TOKEN_SERVICE,
    exp: claims.issuedAtSeconds + claims.expiresInSeconds,
    // A second back: the registry compares nbf with its own clock (with 60 s of leeway).
    nbf: claims.issuedAtSeconds - 1,
    iat: claims.issuedAtSeconds,
    jti: claims.id,
    access: claims.access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}

/**
 * Pure: whether a bearer token (unverified) grants `action` on `repository`; undefined when it
 * is not one of ours to read. Used only to REFUSE early (the registry verifies what it grants):
 * the registry answers an upload it may not take before reading its body, and closes the
 * connection under the client, who would then see a failure instead of the refusal.
 */
export function tokenGrants(authorization: string | undefined, repository: string, action: string): boolean | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!m?.[1]) return undefined;
  try {
    const access = decodeClaims(m[1]).access;
    if (!Array.isArray(access)) return undefined;
    return access.some((a: unknown) => {
      const entry = a as { type?: unknown; name?: unknown; actions?: unknown };
      return entry.type === "repository" && entry.name === repository && Array.isArray(entry.actions) && entry.actions.includes(action);
    });
  } catch {
    return undefined;
  }
}

/** Pure: the claims of a token, unverified (tests, log lines and early refusals only). */
export function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}
