import { Agent, request } from "node:http";
import type { SignedRequest } from "./capture.js";

/**
 * A minimal client for the server-bound rows: re-sends requests the SDK signed (the server
 * still verifies every signature; they stay valid for AWS's 15-minute window) over plain
 * node:http, so the ~0.6 ms of SDK work per call no longer sits in front of the server.
 */
export function replayClient(endpoint: string, maxSockets: number): {
  send(req: SignedRequest): Promise<void>;
  destroy(): void;
} {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        const r = request(
          { agent, host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers },
          (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode ?? "?"}`))));
            res.on("error", reject);
          },
        );
        r.setTimeout(10_000, () => r.destroy(new Error("request timed out after 10 s")));
        r.on("error", reject);
        r.end(req.body);
      });
    },
    destroy: () => agent.destroy(),
  };
}
