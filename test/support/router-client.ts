import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { createServer } from "node:net";
import { createHash, randomBytes } from "node:crypto";

/** A free TCP port on 127.0.0.1 (bound and released; the caller binds it again right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RouterReply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request to the data plane on 127.0.0.1 with the service's Host (and SNI, over TLS). */
export function viaRouter(
  opts: { port: number; host: string; path?: string; https?: { ca: string }; timeoutMs?: number; headers?: Record<string, string> },
): Promise<RouterReply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: "127.0.0.1",
      port: opts.port,
      path: opts.path ?? "/",
      headers: { host: opts.host, ...opts.headers },
      timeout: opts.timeoutMs ?? 10_000,
      agent: false as const,
    };
    const req = opts.https ? httpsRequest({ ...common, ca: opts.https.ca, servername: opts.host }) : httpRequest(common);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`request to ${opts.host}${opts.path ?? "/"} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * A WebSocket handshake through the router over TLS, then raw bytes both ways: what comes
 * back after the 101 (the app echoes what it receives).
 */
export function webSocketEcho(opts: { port: number; host: string; ca: string; message: string; timeoutMs?: number }): Promise<{ accept: string; expected: string; echoed: string }> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString("base64");
    const expected = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    const socket = tlsConnect({ host: "127.0.0.1", port: opts.port, servername: opts.host, ca: opts.ca });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`WebSocket echo timed out; received: ${JSON.stringify(received)}`));
    }, opts.timeoutMs ?? 10_000);
    let received = "";
    let accept = "";
    socket.on("secureConnect", () => {
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: ${opts.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      const end = received.indexOf("\r\n\r\n");
      if (!accept && end >= 0) {
        accept = /sec-websocket-accept: *(\S+)/i.exec(received.slice(0, end))?.[1] ?? "(none)";
        if (!received.startsWith("HTTP/1.1 101")) {
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`no 101: ${received.slice(0, 200)}`));
          return;
        }
        received = received.slice(end + 4);
        socket.write(opts.message);
      }
      if (accept && received.includes(opts.message)) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ accept, expected, echoed: received });
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Closed-loop load through the router: `clients` loops sending GETs until stop(); counts
 * every answer and every failure (a status other than 200, a reset, a timeout).
 */
export function loadLoop(opts: { port: number; host: string; path: string; clients: number; https?: { ca: string }; maxRequests?: number }) {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const limit = opts.maxRequests ?? 100_000;
  const worker = async (): Promise<void> => {
    while (running && ok + failures.length < limit) {
      try {
        const r = await viaRouter({ port: opts.port, host: opts.host, path: opts.path, https: opts.https, timeoutMs: 30_000 });
        if (r.status === 200) ok++;
        else failures.push(`HTTP ${r.status}: ${r.body.slice(0, 80)}`);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.clients }, () => worker()));
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}
