import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { TokenCache, basicHeader, networkReason, parseChallenge } from "./auth.js";
import { MANIFEST_ACCEPT, parseManifest, type ImageIndex, type ImageManifest } from "./manifest.js";
import { isSha256Digest } from "./reference.js";
import { resolveEndpoint, type RegistryConfig, type RegistryEndpoint } from "./registry-config.js";
import type { ImageReference } from "./types.js";

export interface RegistryClientOptions {
  config: RegistryConfig;
  /** Injected for tests; defaults to the global (undici) fetch. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Time allowed for a manifest or token answer and for blob response headers. Default 30 s. */
  requestTimeoutMs?: number;
}

export interface FetchedManifest {
  /** sha256 of the exact bytes served. */
  digest: string;
  bytes: Buffer;
  doc: ImageManifest | ImageIndex;
}

/** Manifests are small; anything bigger is not a manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * A pull-only client for the OCI distribution API over plain fetch: anonymous, basic and
 * bearer-token auth, manual redirects (credentials never follow a redirect to another origin),
 * sha256 verification of everything it returns, and errors mapped to ImageNotFound,
 * ImageAccessDenied or ImagePullFailed without credentials in them.
 */
export class RegistryClient {
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: TokenCache;
  private readonly timeoutMs: number;
  /** Registries (base URLs) that challenged with Basic: send credentials up front from then on. */
  private readonly basicOrigins = new Set<string>();

  constructor(private readonly opts: RegistryClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.tokens = new TokenCache(this.fetchImpl, opts.now);
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  endpoint(ref: ImageReference): RegistryEndpoint {
    return resolveEndpoint(this.opts.config, ref);
  }

  /** The digest a tag (or digest) currently names, from a HEAD request. */
  async resolve(ref: ImageReference, signal?: AbortSignal): Promise<string> {
    if (ref.digest) return ref.digest;
    const target = ref.tag ?? "latest";
    const res = await this.send(ref, "HEAD", `manifests/${target}`, MANIFEST_ACCEPT, signal);
    if (!res.ok) throw await this.failure(res, ref, "manifest");
    await res.body?.cancel();
    const header = res.headers.get("docker-content-digest");
    if (header && isSha256Digest(header)) return header;
    // Registries need not send the header; the digest is then that of the body.
    return (await this.fetchManifest(ref, target, signal)).digest;
  }

  /** GETs a manifest or index by tag or digest; a digest reference is verified against the body. */
  async fetchManifest(ref: ImageReference, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.send(ref, "GET", `manifests/${reference}`, MANIFEST_ACCEPT, signal);
    if (!res.ok) throw await this.failure(res, ref, "manifest");
    const bytes = await this.readLimited(res, ref, MAX_MANIFEST_BYTES);
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    if (isSha256Digest(reference) && digest !== reference) {
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${ref.original} failed: the registry sent a manifest whose digest ${digest} does not match ${reference}.`,
      );
    }
    const doc = parseManifest(bytes, res.headers.get("content-type") ?? "", ref.original);
    return { digest, bytes, doc };
  }

  /**
   * Streams a blob to `dest` (created exclusively), checking size and sha256 as it goes;
   * on any failure `dest` is removed. Returns the number of bytes written.
   */
  async downloadBlob(
    ref: ImageReference,
    blob: { digest: string; size: number },
    dest: string,
    signal?: AbortSignal,
  ): Promise<number> {
    const res = await this.send(ref, "GET", `blobs/${blob.digest}`, "*/*", signal, true);
    if (!res.ok) throw await this.failure(res, ref, "blob", blob.digest);
    if (!res.body) throw new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: blob ${blob.digest} had no body.`);
    const hash = createHash("sha256");
    let bytes = 0;
    const verify = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        bytes += chunk.length;
        if (bytes > blob.size) {
          done(new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: blob ${blob.digest} is larger than the ${blob.size} bytes its manifest declares.`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      await pipeline(body, verify, createWriteStream(dest, { flags: "wx" }), signal ? { signal } : {});
      const digest = `sha256:${hash.digest("hex")}`;
      if (digest !== blob.digest || bytes !== blob.size) {
        throw new AppRunnerError(
          "ImagePullFailed",
          `Pulling image ${ref.original} failed: blob ${blob.digest} arrived with digest ${digest} and ${bytes} bytes ` +
            `(expected ${blob.size}); the download was discarded.`,
        );
      }
      return bytes;
    } catch (err) {
      await rm(dest, { force: true });
      if (err instanceof AppRunnerError) throw err;
      signal?.throwIfAborted();
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${ref.original} failed while downloading blob ${blob.digest} (${this.scrub(ref, networkReason(err))}).`,
        { cause: err },
      );
    }
  }

  /** One request with auth (retrying once after a 401 challenge) and redirects followed by hand. */
  private async send(
    ref: ImageReference,
    method: "GET" | "HEAD",
    path: string,
    accept: string,
    signal: AbortSignal | undefined,
    streaming = false,
  ): Promise<Response> {
    const endpoint = this.endpoint(ref);
    const url = `${endpoint.baseUrl}/v2/${ref.repository}/${path}`;
    const scope = `repository:${ref.repository}:pull`;
    const cacheKey = `${endpoint.baseUrl} ${scope}`;
    const creds = endpoint.credentials;

    let auth: string | undefined = this.tokens.get(cacheKey);
    if (!auth && creds?.kind === "token") auth = `Bearer ${creds.token}`;
    if (!auth && creds?.kind === "basic" && this.basicOrigins.has(endpoint.baseUrl)) {
      auth = basicHeader(creds.username, creds.password);
    }

    let res = await this.fetchFollowing(ref, endpoint, url, method, accept, auth, signal, streaming);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    if (!challenge) return res;
    if (challenge.scheme === "bearer") {
      if (creds?.kind === "token") return res;
      await res.body?.cancel();
      this.tokens.forget(cacheKey);
      auth = await this.tokens.obtain(cacheKey, {
        challenge,
        defaultScope: scope,
        ...(creds ? { credentials: creds } : {}),
        registryBaseUrl: endpoint.baseUrl,
        image: ref.original,
        ...(signal ? { signal } : {}),
      });
    } else {
      if (creds?.kind !== "basic" || auth?.startsWith("Basic ")) return res;
      await res.body?.cancel();
      this.basicOrigins.add(endpoint.baseUrl);
      auth = basicHeader(creds.username, creds.password);
    }
    res = await this.fetchFollowing(ref, endpoint, url, method, accept, auth, signal, streaming);
    return res;
  }

  private async fetchFollowing(
    ref: ImageReference,
    endpoint: RegistryEndpoint,
    startUrl: string,
    method: "GET" | "HEAD",
    accept: string,
    auth: string | undefined,
    signal: AbortSignal | undefined,
    streaming: boolean,
  ): Promise<Response> {
    const origin = new URL(startUrl).origin;
    let url = startUrl;
    // The timeout covers the wait for response headers; a streamed body may take longer.
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new Error("timed out")), this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const headers: Record<string, string> = { Accept: accept };
        if (auth && new URL(url).origin === origin) headers.Authorization = auth;
        const res = await this.fetchImpl(url, { method, headers, redirect: "manual", signal: combined });
        const location = res.headers.get("location");
        if (res.status >= 300 && res.status < 400 && location) {
          await res.body?.cancel();
          url = new URL(location, url).toString();
          continue;
        }
        if (!streaming) {
          // Buffer small answers now so the timeout also covers their bodies.
          const body = method === "HEAD" ? null : await res.arrayBuffer();
          return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
        }
        return res;
      }
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: too many redirects from the registry ${endpoint.registry}.`);
    } catch (err) {
      if (err instanceof AppRunnerError) throw err;
      signal?.throwIfAborted();
      const reason = timer.signal.aborted ? "timed out" : this.scrub(ref, networkReason(err));
      throw new AppRunnerError(
        "ImagePullFailed",
        `Pulling image ${ref.original} failed: the registry ${endpoint.registry} could not be reached (${reason}).`,
        { cause: err },
      );
    } finally {
      clearTimeout(timeout);
    }
  }

  private async readLimited(res: Response, ref: ImageReference, limit: number): Promise<Buffer> {
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > limit) {
      await res.body?.cancel();
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: its manifest is larger than ${limit} bytes.`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > limit) {
      throw new AppRunnerError("ImagePullFailed", `Pulling image ${ref.original} failed: its manifest is larger than ${limit} bytes.`);
    }
    return bytes;
  }

  /** Maps an unsuccessful answer to the error the deployment records. */
  private async failure(res: Response, ref: ImageReference, what: "manifest" | "blob", digest?: string): Promise<AppRunnerError> {
    const endpoint = this.endpoint(ref);
    let codes: string[] = [];
    let detail = "";
    try {
      const text = res.body ? (await res.text()).slice(0, 4096) : "";
      const parsed = text ? (JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> }) : {};
      codes = (parsed.errors ?? []).map((e) => String(e.code ?? ""));
      detail = (parsed.errors ?? []).map((e) => String(e.message ?? "")).filter(Boolean).join("; ");
    } catch {
      // Not a distribution error document; the status alone says enough.
    }
    const via = endpoint.mirroredFrom ? ` (through the mirror ${endpoint.registry})` : "";
    const denied = res.status === 401 || res.status === 403 || codes.includes("UNAUTHORIZED") || codes.includes("DENIED");
    if (denied) {
      const credentials = endpoint.credentials ? "for the configured credentials" : "(no credentials are configured for this registry)";
      return new AppRunnerError(
        "ImageAccessDenied",
        `Pulling image ${ref.original} failed: authentication was refused by the registry ${endpoint.registry}${via} ${credentials}.`,
      );
    }
    const unknown = ["MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"].some((c) => codes.includes(c));
    if (res.status === 404 || unknown) {
      if (what === "blob") {
        return new AppRunnerError(
          "ImageNotFound",
          `Image ${ref.original} is incomplete in the registry${via}: blob ${digest ?? ""} was not found.`,
        );
      }
      return new AppRunnerError("ImageNotFound", `Image ${ref.original} was not found in the registry${via}.`);
    }
    const suffix = detail ? `: ${this.scrub(ref, detail).slice(0, 300)}` : "";
    return new AppRunnerError(
      "ImagePullFailed",
      `Pulling image ${ref.original} failed: the registry ${endpoint.registry}${via} answered HTTP ${res.status} for the ${what}${suffix}.`,
    );
  }

  /** Text from the network or a registry is echoed only with the configured secrets removed. */
  private scrub(ref: ImageReference, text: string): string {
    const creds = this.endpoint(ref).credentials;
    const secrets: string[] = [];
    if (creds?.kind === "basic") secrets.push(creds.password, basicHeader(creds.username, creds.password).slice(6));
    if (creds?.kind === "token") secrets.push(creds.token);
    let out = text;
    for (const s of secrets) if (s) out = out.split(s).join("***");
    return out;
  }
}
