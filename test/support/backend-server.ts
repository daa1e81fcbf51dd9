import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface BackendReply {
  name: string;
  path: string;
  headers: IncomingHttpHeaders;
  inFlight: number;
}

/**
 * A test instance on 127.0.0.1: answers JSON `{ name, path, headers, inFlight }`, delays each
 * response by `delayMs` (or `?delay=<ms>`), records its maximum in-flight count, and echoes
 * WebSocket frames after a hand-made 101 upgrade.
 */
export class BackendServer {
  inFlight = 0;
  maxInFlight = 0;
  requests = 0;
  port = 0;
  readonly address = "127.0.0.1";
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly name: string,
    public delayMs = 0,
  ) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.requests++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const url = new URL(req.url ?? "/", "http://x");
      const delay = Number(url.searchParams.get("delay") ?? this.delayMs);
      req.resume();
      setTimeout(() => {
        const body: BackendReply = { name: this.name, path: req.url ?? "/", headers: req.headers, inFlight: this.inFlight };
        this.inFlight--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      }, delay);
    });
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    server.on("upgrade", (req, socket: Socket) => {
      const key = String(req.headers["sec-websocket-key"] ?? "");
      const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      // The client went away (or reset): close our side too, as a real WebSocket server does.
      socket.on("end", () => socket.end());
      socket.on("error", () => socket.destroy());
      socket.on("data", (frame: Buffer) => {
        const text = decodeFrame(frame);
        if (text !== undefined) socket.write(encodeFrame(`${this.name}:${text}`));
      });
    });
    this.server = server;
    await new Promise<void>((ok) => server.listen(0, this.address, () => ok()));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

/** Test instances started on demand and closed together. */
export class BackendPool {
  private readonly started: BackendServer[] = [];

  async start(name: string, delayMs = 0): Promise<BackendServer> {
    const b = await new BackendServer(name, delayMs).start();
    this.started.push(b);
    return b;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.started.map((b) => b.close()));
  }
}

/** A single unfragmented text frame (masked from clients), or undefined. */
export function decodeFrame(buf: Buffer): string | undefined {
  if (buf.length < 2) return undefined;
  const masked = ((buf[1] ?? 0) & 0x80) !== 0;
  let len = (buf[1] ?? 0) & 0x7f;
  let off = 2;
  if (len === 126) {
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) return undefined;
  const mask = masked ? buf.subarray(off, off + 4) : undefined;
  if (mask) off += 4;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return payload.toString("utf8");
}

/** A text frame; masked as a client must send it when `mask` is true. */
export function encodeFrame(text: string, mask = false): Buffer {
  const payload = Buffer.from(text, "utf8");
  if (payload.length > 125) throw new Error("test frames are short");
  const head = Buffer.from([0x81, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] ?? 0)));
  return Buffer.concat([head, key, body]);
}
