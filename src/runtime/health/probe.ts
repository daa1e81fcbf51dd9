import http from "node:http";
import net from "node:net";

/** The outcome of one health probe; `detail` is short and fit for a log line or error message. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * Which HTTP statuses pass an HTTP health check. App Runner's guide and API reference do not
 * name the accepted codes (only Path, Interval, Timeout and thresholds), so OpenRunner follows
 * the common load-balancer rule, also HAProxy's default for `option httpchk`: 2xx and 3xx pass
 * (redirects are not followed), 1xx/4xx/5xx fail.
 */
export const isHealthyHttpStatus = (status: number): boolean => status >= 200 && status < 400;

function errorDetail(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "EADDRNOTAVAIL":
      return "address not available";
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
    }
  }
}

/**
 * Runs `start` with a hard deadline and an optional abort signal; `start` gets a `settle` that
 * only the first caller wins, and returns a cleanup that always runs (destroying sockets).
 */
function withDeadline(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  start: (settle: (r: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    if (signal?.aborted) {
      resolve({ ok: false, detail: "aborted" });
      return;
    }
    let done = false;
    let cleanup: () => void = () => undefined;
    const onAbort = (): void => settle({ ok: false, detail: "aborted" });
    const timer = setTimeout(() => settle({ ok: false, detail: `timed out after ${timeoutMs} ms` }), timeoutMs);
    function settle(r: ProbeResult): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      cleanup();
      resolve(r);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      cleanup = start(settle);
    } catch (err) {
      settle({ ok: false, detail: errorDetail(err) });
    }
    if (done) cleanup();
  });
}

/** TCP health check: healthy when a connection to host:port is accepted within timeoutMs. */
export function probeTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return withDeadline(timeoutMs, signal, (settle) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    socket.once("connect", () => settle({ ok: true, detail: "connected" }));
    socket.on("error", (err) => settle({ ok: false, detail: errorDetail(err) }));
    return () => socket.destroy();
  });
}

/**
 * HTTP health check: `GET path` on a fresh connection (no agent, no keep-alive); healthy when
 * the status line arrives within timeoutMs with a 2xx or 3xx status. The body is not read.
 */
export function probeHttp(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  return withDeadline(timeoutMs, signal, (settle) => {
    const req = http.request({
      host,
      port,
      path: path.startsWith("/") ? path : `/${path}`,
      method: "GET",
      agent: false,
      headers: { Connection: "close", "User-Agent": "OpenRunner-HealthChecker/1.0", Accept: "*/*" },
    });
    let res: http.IncomingMessage | undefined;
    req.on("response", (r) => {
      res = r;
      // Errors after the verdict (the socket destroyed below) have nothing left to report.
      r.on("error", () => undefined);
      const status = r.statusCode ?? 0;
      settle({ ok: isHealthyHttpStatus(status), detail: `HTTP ${status}` });
    });
    req.on("error", (err) => settle({ ok: false, detail: errorDetail(err) }));
    req.end();
    return () => {
      res?.destroy();
      req.destroy();
      req.socket?.destroy();
    };
  });
}
