/**
 * The floor to compare OpenRunner with: a bare node:http server on loopback that answers every
 * AWS JSON call with a fixed body chosen by X-Amz-Target — no SigV4 check, no validation, no
 * SQLite. Run as a child (like OpenRunner) so client and server do not share an event loop.
 *
 *   node dist/bench/lib/baseline-server.js <bodies.json>   (a {"AppRunner.Op": "<json>"} map)
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const file = process.argv[2];
if (!file) throw new Error("usage: baseline-server.js <bodies.json>");
const bodies = new Map(Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>));

const server = createServer((req, res) => {
  // Drain the request like a real handler must before answering on a keep-alive socket.
  req.resume();
  req.on("end", () => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = bodies.get(target) ?? "{}";
    res.writeHead(200, {
      "Content-Type": "application/x-amz-json-1.0",
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": randomUUID(),
    });
    res.end(body);
  });
});
// Same keep-alive timeout as OpenRunner's server, so neither closes idle sockets mid-run.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready: http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
