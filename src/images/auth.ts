import { AppRunnerError } from "../errors/app-runner-error.js";
import type { RegistryCredentials } from "./registry-config.js";
import { isLoopbackHost } from "./registry-config.js";

/** A parsed `WWW-Authenticate` header (RFC 7235); only the schemes registries use. */
export type Challenge =
  | { scheme: "bearer"; realm: string; service?: string; scope?: string }
  | { scheme: "basic" };

/** Parses `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`; undefined if neither. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? "").toLowerCase();
  if (scheme === "basic") return { scheme: "basic" };
  if (scheme !== "bearer") return undefined;
  const params: Record<string, string> = {};
  const param = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const text = match[2] ?? "";
  param.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (param.lastIndex < text.length && (m = param.exec(text)) !== null) {
    const name = (m[1] ?? "").toLowerCase();
    params[name] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  if (!params.realm) return undefined;
  const challenge: Challenge = { scheme: "bearer", realm: params.realm };
  if (params.service) challenge.service = params.service;
  if (params.scope) challenge.scope = params.scope;
  return challenge;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Default lifetime when a token answer has no expires_in (the distribution spec says 60 s). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew a little early so a token never expires between being read and being used. */
const EXPIRY_MARGIN_MS = 10_000;

export interface TokenRequest {
  challenge: Extract<Challenge, { scheme: "bearer" }>;
  /** Scope used when the challenge names none (`repository:<repo>:pull`). */
  defaultScope: string;
  credentials?: RegistryCredentials;
  /** The registry's base URL: credentials go to the realm only over HTTPS, loopback or this origin. */
  registryBaseUrl: string;
  /** Image display name for error messages. */
  image: string;
  signal?: AbortSignal;
}

/** Bearer tokens obtained from token realms, cached per registry + scope until they expire. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached `Authorization` value for `key`, if still valid. */
  get(key: string): string | undefined {
    const cached = this.tokens.get(key);
    if (!cached) return undefined;
    if (cached.expiresAt <= this.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return cached.header;
  }

  forget(key: string): void {
    this.tokens.delete(key);
  }

  /** Fetches a token for the challenge, caches it under `key` and returns the `Authorization` value. */
  async obtain(key: string, req: TokenRequest): Promise<string> {
    const scope = req.challenge.scope ?? req.defaultScope;
    let url: URL;
    try {
      url = new URL(req.challenge.realm);
    } catch (err) {
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${req.image} failed: the registry named an invalid token realm.`, {
        cause: err,
      });
    }
    if (req.challenge.service) url.searchParams.set("service", req.challenge.service);
    for (const s of scope.split(" ")) if (s) url.searchParams.append("scope", s);

    const headers: Record<string, string> = { Accept: "application/json" };
    const creds = req.credentials;
    if (creds?.kind === "basic" && this.mayReceiveCredentials(url, req.registryBaseUrl)) {
      headers.Authorization = basicHeader(creds.username, creds.password);
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers, signal: withTimeout(req.signal, 30_000), redirect: "follow" });
    } catch (err) {
      req.signal?.throwIfAborted();
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${req.image} failed: the registry's token service at ${url.host} could not be reached (${networkReason(err)}).`,
        { cause: err },
      );
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new AppRunnerError(
        "ImageAccessDenied",
        `Pulling image ${req.image} failed: authentication was refused by the registry's token service` +
          `${creds ? " for the configured credentials" : " (no credentials are configured for this registry)"}.`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${req.image} failed: the registry's token service answered HTTP ${response.status}.`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${req.image} failed: the token service sent invalid JSON.`, {
        cause: err,
      });
    }
    const answer = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const token = typeof answer.token === "string" && answer.token ? answer.token : answer.access_token;
    if (typeof token !== "string" || token === "") {
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${req.image} failed: the token service sent no token.`);
    }
    const seconds =
      typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    const header = `Bearer ${token}`;
    this.tokens.set(key, { header, expiresAt: this.now() + Math.max(seconds * 1000 - EXPIRY_MARGIN_MS, 1000) });
    return header;
  }

  private mayReceiveCredentials(realm: URL, registryBaseUrl: string): boolean {
    return realm.protocol === "https:" || realm.origin === new URL(registryBaseUrl).origin || isLoopbackHost(realm.host);
  }
}

/** Combines a caller's signal with a timeout for one request. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** A short, credential-free reason for a failed fetch (undici hides the real one in `cause`). */
export function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return "timed out";
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code ? `${code}: ${stripUrls(cause.message)}` : stripUrls(cause.message);
    }
    return stripUrls(err.message);
  }
  return "unknown error";
}

/** URLs can carry userinfo; never echo them. */
function stripUrls(text: string): string {
  return text.replace(/\b[a-z]+:\/\/\S+/gi, "<url>");
}
