import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Date.now() when the body was complete (for measured delays, never asserted). */
  at: number;
}

/**
 * An HTTP endpoint on 127.0.0.1 for EventBridge targets: records every request and answers
 * 200, or the status set for a path (`fail("/down", 500)`).
 */
export class HttpReceiver {
  readonly received: Received[] = [];
  private readonly statuses = new Map<string, number>();
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        res.writeHead(this.statuses.get(path.split("?")[0] ?? path) ?? 200);
        res.end();
      });
    });
    await new Promise<void>((ok) => this.server?.listen(0, "127.0.0.1", () => ok()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  fail(path: string, status: number): void {
    this.statuses.set(path, status);
  }

  /** Back to answering 200. */
  recover(path: string): void {
    this.statuses.delete(path);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  }
}
