/**
 * The Docker Engine API as plain HTTP over the daemon's unix socket (or a TCP address), in the
 * version negotiated with the daemon at connect. No client library: the API is JSON over HTTP,
 * and the few endpoints the Swarm driver needs stay simpler than a client's abstractions.
 */
import { Agent, request, type IncomingMessage } from "node:http";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { negotiateApiVersion, type DaemonApiVersions } from "./api-version.js";

/** Where the manager's Engine API is: a unix socket path, or `tcp://host:port`. */
export type EngineEndpoint = string;

export const DEFAULT_ENGINE_SOCKET = "/var/run/docker.sock";

/** An Engine API answer that was not 2xx: its status and the daemon's message. */
export class EngineApiError extends AppRunnerError {
  constructor(
    readonly status: number,
    readonly daemonMessage: string,
    what: string,
  ) {
    super("RuntimeUnavailable", `Docker Engine API ${what}: ${status} ${daemonMessage}`);
  }
}

export interface EngineRequest {
  method?: "GET" | "POST" | "DELETE" | "PUT";
  /** Path after the version prefix, with its leading slash: `/services/create`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds before the request is given up (default 30 s); streams have none. */
  timeoutMs?: number;
}

function target(endpoint: EngineEndpoint): { socketPath: string } | { host: string; port: number } {
  if (endpoint.startsWith("tcp://")) {
    const url = new URL(endpoint.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: endpoint.replace(/^unix:\/\//, "") };
}

function queryString(query: EngineRequest["query"]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Connections to the daemon kept open between calls, with no idle timeout: Node's global agent
 * closes a socket after 5 s without data, which cut every quiet log stream (`follow`) and any
 * call the daemon takes longer than that to answer. Each request has its own timeout instead.
 */
const calls = new Agent({ keepAlive: true, maxSockets: 16 });

/** One HTTP exchange with the daemon; the response is handed over unread. */
function send(endpoint: EngineEndpoint, fullPath: string, req: EngineRequest, stream: boolean): Promise<IncomingMessage> {
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        ...target(endpoint),
        method: req.method ?? "GET",
        path: fullPath + queryString(req.query),
        headers: { host: "docker", ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}), ...req.headers },
        signal: req.signal,
        // A stream holds its connection for as long as it is read: never one of the pooled ones.
        agent: stream ? false : calls,
        ...(stream ? {} : { timeout: req.timeoutMs ?? 30_000 }),
      },
      resolve,
    );
    r.on("timeout", () => r.destroy(new AppRunnerError("RuntimeUnavailable", `Docker Engine API ${req.method ?? "GET"} ${req.path}: no answer in ${req.timeoutMs ?? 30_000} ms`)));
    r.on("error", (err) => reject(err instanceof AppRunnerError ? err : new AppRunnerError("RuntimeUnavailable", `Docker Engine API at ${endpoint}: ${err.message}`, { cause: err })));
    r.end(body);
  });
}

async function failure(res: IncomingMessage, what: string): Promise<EngineApiError> {
  const text = await readAll(res);
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: the daemon's text as it is.
  }
  return new EngineApiError(res.statusCode ?? 0, message, what);
}

export class EngineApi {
  private constructor(
    readonly endpoint: EngineEndpoint,
    /** The negotiated API version every request is sent in. */
    readonly version: string,
    /** The daemon's own `/version` answer (Version, ApiVersion, Os, Arch...). */
    readonly daemon: DaemonApiVersions & { Version?: string },
  ) {}

  /** Asks the daemon its versions (unversioned `/version`, as the CLI does) and settles on one. */
  static async connect(endpoint: EngineEndpoint = DEFAULT_ENGINE_SOCKET, signal?: AbortSignal): Promise<EngineApi> {
    const res = await send(endpoint, "/version", { path: "/version", signal, timeoutMs: 10_000 }, false);
    if ((res.statusCode ?? 0) >= 300) throw await failure(res, "GET /version");
    const daemon = JSON.parse(await readAll(res)) as DaemonApiVersions & { Version?: string };
    const negotiated = negotiateApiVersion(daemon);
    if (!negotiated.ok) throw new AppRunnerError("RuntimeUnavailable", `Docker at ${endpoint}: ${negotiated.reason}.`);
    return new EngineApi(endpoint, negotiated.version, daemon);
  }

  /** A JSON request; resolves to the parsed answer (undefined for an empty one). */
  async call<T>(req: EngineRequest): Promise<T> {
    const what = `${req.method ?? "GET"} ${req.path}`;
    const res = await send(this.endpoint, `/v${this.version}${req.path}`, req, false);
    if ((res.statusCode ?? 0) >= 300) throw await failure(res, what);
    const text = await readAll(res);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  /** A streaming request (logs with follow, events): the open response, for the caller to read and destroy. */
  async stream(req: EngineRequest): Promise<IncomingMessage> {
    const res = await send(this.endpoint, `/v${this.version}${req.path}`, req, true);
    if ((res.statusCode ?? 0) >= 300) throw await failure(res, `${req.method ?? "GET"} ${req.path}`);
    return res;
  }
}
