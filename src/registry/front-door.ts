import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import type { Clock } from "../util/clock.js";
import { hex, type Random } from "../util/random.js";
import { INVALID_PASSWORD_MESSAGE, type HmacRegistryPasswords } from "./passwords.js";
import { parseRegistryPath, refusalBody, refusalOf, type RegistryRefusal } from "./push-policy.js";
import type { SigningKey } from "./signing-key.js";
import { grantedAccess, parseScopes, signToken, tokenGrants, TOKEN_SECONDS, TOKEN_SERVICE } from "./token.js";
import type { RegistryScopeAuthorizer, RepositoryDirectory } from "./types.js";

export const TOKEN_PATH = "/token";

/** The distribution API's methods that change a repository (a push). */
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface FrontDoorOptions {
  host: string;
  port: number;
  /** The registry's unix socket. */
  socketPath: string;
  passwords: HmacRegistryPasswords;
  signingKey: SigningKey;
  /** The ECR side's repositories; asked on every token and every request. */
  repositories: () => RepositoryDirectory | undefined;
  authorizeScope?: RegistryScopeAuthorizer;
  tagExists: (repository: string, tag: string) => boolean;
  accountId: string;
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

/** The user name every registry password goes with, as ECR's. */
export const REGISTRY_USER = "AWS";

function sendError(res: ServerResponse, r: RegistryRefusal, headers: Record<string, string> = {}): void {
  res.writeHead(r.status, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0", ...headers }).end(refusalBody(r));
}

/** Pure: the user name and password of a Basic Authorization header. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The registry's only door, on 127.0.0.1:<--registry-port>: the Docker token endpoint (Basic
 * auth with a GetAuthorizationToken password, tokens for repositories the ECR side knows) and
 * a streaming proxy of `/v2/...` to the registry's socket, which refuses first what ECR
 * refuses (a repository that does not exist, a tag of an IMMUTABLE repository pushed again).
 * Blobs are piped both ways, never held in memory.
 */
export class FrontDoor {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly opts: FrontDoorOptions) {}

  get address(): string {
    return `${this.opts.host}:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.opts.logger("registry front door: request failed", { component: "registry", url: req.url, error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    // A layer of a few GB on a slow link takes longer than Node's default 5 minutes per request;
    // headers must still come quickly.
    server.requestTimeout = 0;
    server.headersTimeout = 20_000;
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(this.opts.port, this.opts.host, () => ok());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://front-door");
    if (url.pathname === TOKEN_PATH && req.method === "GET") return this.token(req, res, url);
    if (url.pathname === "/v2" || url.pathname.startsWith("/v2/")) return this.proxy(req, res, url);
    req.resume();
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }

  /** The Docker token spec's GET /token; `docker login` asks it with no scope and only checks for a 200. */
  private token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    req.resume();
    const credentials = basicCredentials(req.headers.authorization);
    const now = new Date(this.opts.clock.now());
    const check = credentials && credentials.user === REGISTRY_USER ? this.opts.passwords.verify(credentials.password, now) : undefined;
    if (!check?.ok || check.principal.accountId !== this.opts.accountId) {
      const message = check && !check.ok ? check.message : INVALID_PASSWORD_MESSAGE;
      sendError(res, { status: 401, code: "DENIED", message }, { "www-authenticate": `Basic realm="${TOKEN_SERVICE}"` });
      return;
    }
    const directory = this.opts.repositories();
    const subject = check.principal.accessKeyId;
    const sourceIp = req.socket.remoteAddress ?? "";
    const allowed = this.opts.authorizeScope;
    const access = grantedAccess(parseScopes(url.searchParams.getAll("scope")), (name) => directory?.find(name)).flatMap((a) => {
      const actions = allowed ? a.actions.filter((action) => (action === "pull" || action === "push") && allowed({ accessKeyId: subject, repository: a.name, action, sourceIp })) : a.actions;
      return actions.length > 0 ? [{ ...a, actions }] : [];
    });
    const issuedAtSeconds = Math.floor(now.getTime() / 1000);
    const token = signToken(
      { subject, access, issuedAtSeconds, expiresInSeconds: TOKEN_SECONDS, id: hex(this.opts.random, 16) },
      this.opts.signingKey.key,
      this.opts.signingKey.keyId,
    );
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: now.toISOString() }));
  }

  private proxy(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const target = parseRegistryPath(url.pathname);
    // Without a token the registry answers with its challenge: the client needs it to log in.
    if (target && req.headers.authorization) {
      const refusal = refusalOf({
        method: req.method ?? "GET",
        request: target,
        repository: this.opts.repositories()?.find(target.repository),
        accountId: this.opts.accountId,
        tagExists: (tag) => this.opts.tagExists(target.repository, tag),
      });
      if (refusal) {
        req.resume();
        sendError(res, refusal);
        return;
      }
      if (WRITES.has(req.method ?? "") && tokenGrants(req.headers.authorization, target.repository, "push") === false) {
        req.resume();
        sendError(res, {
          status: 403,
          code: "DENIED",
          message: `Not authorized to push to repository ${target.repository}: the identity-based policies of the key that logged in do not allow ecr:PutImage and the layer upload actions on it.`,
        });
        return;
      }
    }
    // The Host the registry sees is the front door's: its push notifications then name the
    // address services use, whatever name the client typed.
    const headers = { ...req.headers, host: this.address };
    const cut = (what: string) => (err: NodeJS.ErrnoException | null) => {
      if (!err) return;
      // A client that went away mid-transfer ends both sides; anything else is worth a line.
      if (err.code !== "ERR_STREAM_PREMATURE_CLOSE" && err.code !== "ECONNRESET") {
        this.opts.logger(`registry front door: ${what} failed`, { component: "registry", method: req.method, path: url.pathname, error: err.message });
      }
    };
    const upstream = request({ socketPath: this.opts.socketPath, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      pipeline(answer, res, cut("sending the registry's answer"));
    });
    upstream.on("error", (err) => {
      this.opts.logger("registry front door: the registry could not be reached", { component: "registry", error: err.message });
      if (!res.headersSent) sendError(res, { status: 503, code: "UNAVAILABLE", message: "The registry is restarting; try again." });
      else res.destroy();
    });
    // Streams both ways: a blob goes through in chunks, and a client that goes away ends the upload.
    pipeline(req, upstream, cut("passing the request on"));
  }
}
