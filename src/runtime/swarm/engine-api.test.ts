import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineApi } from "./engine-api.js";

/** Longer than Node's global agent's 5 s idle-socket timeout, which once cut quiet log streams. */
const QUIET_MS = 6_000;

describe("EngineApi over a unix socket", () => {
  let dir = "";
  let server: Server;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "openrunner-engine-api-"));
    server = createServer((req, res) => {
      void (async () => {
        if (req.url === "/version") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ApiVersion: "1.43", MinAPIVersion: "1.12" }));
        if (req.url === "/v1.43/slow") {
          await sleep(QUIET_MS);
          return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        }
        if (req.url === "/v1.43/quiet-stream") {
          res.writeHead(200, { "content-type": "application/octet-stream" });
          res.flushHeaders();
          await sleep(QUIET_MS);
          return res.end("late line\n");
        }
        res.writeHead(404, { "content-type": "application/json" }).end('{"message":"page not found"}');
      })();
    });
    await new Promise<void>((ok) => server.listen(join(dir, "docker.sock"), ok));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("speaks the version the daemon offers, waits for a slow answer, and keeps a quiet stream open", async () => {
    const api = await EngineApi.connect(join(dir, "docker.sock"));
    assert.equal(api.version, "1.43");
    const [slow, streamed] = await Promise.all([
      api.call<{ ok: boolean }>({ path: "/slow" }),
      (async () => {
        const res = await api.stream({ path: "/quiet-stream" });
        let text = "";
        for await (const chunk of res) text += String(chunk);
        return text;
      })(),
    ]);
    assert.deepEqual(slow, { ok: true });
    assert.equal(streamed, "late line\n");
  });

  it("turns a refusal into an EngineApiError with the daemon's message", async () => {
    const api = await EngineApi.connect(join(dir, "docker.sock"));
    await assert.rejects(api.call({ path: "/nothing" }), (err: unknown) => err instanceof Error && err.message === "Docker Engine API GET /nothing: 404 page not found");
  });
});
