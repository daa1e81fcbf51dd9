import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { ManualClock } from "../../util/clock.js";
import { HealthChecker, waitHealthy } from "./health-checker.js";
import type { HealthVerdict } from "./health-state.js";

const HOST = "127.0.0.1";

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

async function until(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail("condition not met before the deadline");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const servers: net.Server[] = [];
const checkers: HealthChecker[] = [];
function server(): net.Server {
  const s = net.createServer((socket) => socket.on("error", () => undefined));
  servers.push(s);
  return s;
}

describe("HealthChecker", () => {
  after(async () => {
    for (const c of checkers) c.stop();
    await Promise.all(servers.map(close));
  });

  it("turns healthy, then unhealthy when the server closes", async () => {
    const s = server();
    const port = await listen(s);
    const verdicts: [HealthVerdict, string, number][] = [];
    const checker = new HealthChecker({
      target: () => ({ host: HOST, port }),
      config: { Interval: 1, UnhealthyThreshold: 1 },
      onVerdict: (v, detail, attempts) => verdicts.push([v, detail, attempts]),
    });
    checkers.push(checker);
    await checker.waitHealthy({ budgetMs: 5000 });
    assert.equal(checker.verdict, "healthy");
    assert.deepEqual(verdicts, [["healthy", "connected", 1]]);
    await close(s);
    await until(() => checker.verdict === "unhealthy");
    assert.deepEqual(verdicts.at(-1), ["unhealthy", "connection refused", 2]);
    checker.stop();
  });

  it("sees a server that starts listening late within a short time of it listening", async (ctx) => {
    const port = await closedPort();
    const s = server();
    const checker = new HealthChecker({ target: () => ({ host: HOST, port }), config: {} });
    checkers.push(checker);
    const healthy = checker.waitHealthy({ budgetMs: 10_000 });
    await new Promise((r) => setTimeout(r, 150));
    await listen(s, port);
    const listeningAt = Date.now();
    await healthy;
    const lag = Date.now() - listeningAt;
    // Probes at ~50, 100, 200, 400 ms after start: the one after 150 ms comes ~50 ms later.
    assert.ok(lag < 2000, `seen healthy ${lag} ms after listening`);
    ctx.diagnostic(`seen healthy ${lag} ms after listening (${checker.attempts} probes)`);
    assert.ok(checker.attempts >= 2);
    checker.stop();
  });

  it("waitHealthy rejects with InstanceFailed after the budget, with the attempt count", async () => {
    const port = await closedPort();
    const err = await waitHealthy({ target: () => ({ host: HOST, port }), budgetMs: 300 }).then(
      () => assert.fail("should not turn healthy"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppRunnerError);
    assert.equal(err.code, "InstanceFailed");
    const m = /^Health check failed after (\d+) attempts: connection refused$/.exec(err.message);
    assert.ok(m, err.message);
    assert.ok(Number(m[1]) >= 2, err.message);
  });

  it("decides the budget by the injected clock", async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const checker = new HealthChecker({
      target: () => ({ host: HOST, port: 1 }),
      clock,
      probe: async () => {
        attempts.push(attempts.length + 1);
        return { ok: false, detail: "HTTP 503" };
      },
    });
    checkers.push(checker);
    const wait = checker.waitHealthy({ budgetMs: 60_000 });
    await until(() => attempts.length >= 2);
    clock.advance(60_000);
    await assert.rejects(wait, (e: unknown) => {
      assert.ok(e instanceof AppRunnerError);
      assert.match(e.message, /^Health check failed after \d+ attempts: HTTP 503$/);
      return true;
    });
    checker.stop();
  });

  it("waitHealthy rejects when its signal aborts, and stop() ends probing", async () => {
    let probes = 0;
    const checker = new HealthChecker({
      target: () => ({ host: HOST, port: 1 }),
      probe: async () => {
        probes++;
        return { ok: false, detail: "connection refused" };
      },
    });
    checkers.push(checker);
    const ac = new AbortController();
    const wait = checker.waitHealthy({ signal: ac.signal });
    await until(() => probes >= 1);
    ac.abort();
    await assert.rejects(wait, /^AppRunnerError: Health check failed after \d+ attempts: connection refused \(wait aborted\)$/);
    checker.stop();
    const after = probes;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(probes, after);
    await assert.rejects(checker.waitHealthy(), /health checker stopped/);
  });

  it("waitHealthy (function) resolves with the running checker; HTTP protocol is used when configured", async () => {
    const http = await import("node:http");
    const paths: string[] = [];
    const s = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(req.url === "/ready" ? 200 : 500).end();
    });
    servers.push(s);
    const port = await listen(s);
    const checker = await waitHealthy({
      target: () => ({ host: HOST, port }),
      config: { Protocol: "HTTP", Path: "/ready" },
      budgetMs: 5000,
    });
    checkers.push(checker);
    assert.equal(checker.verdict, "healthy");
    assert.equal(checker.lastProbeDetail, "HTTP 200");
    assert.deepEqual(paths, ["/ready"]);
    checker.stop();
  });
});
