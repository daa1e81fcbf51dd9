import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { isHealthyHttpStatus, probeHttp, probeTcp } from "./probe.js";

const HOST = "127.0.0.1";

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (server instanceof http.Server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

async function until(cond: () => boolean | Promise<boolean>, deadlineMs = 3000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail("condition not met before the deadline");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const connections = (s: net.Server): Promise<number> =>
  new Promise((resolve, reject) => s.getConnections((err, n) => (err ? reject(err) : resolve(n))));

describe("probeTcp", () => {
  const server = net.createServer((socket) => socket.on("error", () => undefined));
  let port = 0;
  before(async () => {
    port = await listen(server);
  });
  after(() => close(server));

  it("passes when the port accepts a connection, and closes it", async () => {
    assert.deepEqual(await probeTcp(HOST, port, 200), { ok: true, detail: "connected" });
    await until(async () => (await connections(server)) === 0);
  });

  it("fails with 'connection refused' when nothing listens", async () => {
    assert.deepEqual(await probeTcp(HOST, await closedPort(), 200), { ok: false, detail: "connection refused" });
  });

  it("fails at once when the signal is already aborted, or aborts in flight", async () => {
    const ac = new AbortController();
    ac.abort();
    assert.deepEqual(await probeTcp(HOST, port, 200, ac.signal), { ok: false, detail: "aborted" });
  });
});

describe("probeHttp", () => {
  const seen: { url: string; connection: string | undefined }[] = [];
  let tcpConnections = 0;
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", connection: req.headers.connection });
    const m = /^\/status\/(\d{3})$/.exec(req.url ?? "");
    if (req.url === "/hang") return; // never answers
    if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first chunk, the rest never comes");
      return;
    }
    res.writeHead(m ? Number(m[1]) : 200, { "content-type": "text/plain" });
    res.end("ok");
  });
  server.on("connection", (socket) => {
    tcpConnections++;
    socket.on("error", () => undefined);
  });
  let port = 0;
  before(async () => {
    port = await listen(server);
  });
  after(() => close(server));

  it("passes on HTTP 200 at the configured path", async () => {
    assert.deepEqual(await probeHttp(HOST, port, "/health?x=1", 200), { ok: true, detail: "HTTP 200" });
    assert.equal(seen.at(-1)?.url, "/health?x=1");
    assert.equal(seen.at(-1)?.connection, "close");
  });

  it("fails on HTTP 500 and 404, passes on 204 and (unfollowed) 302", async () => {
    assert.deepEqual(await probeHttp(HOST, port, "/status/500", 200), { ok: false, detail: "HTTP 500" });
    assert.deepEqual(await probeHttp(HOST, port, "/status/404", 200), { ok: false, detail: "HTTP 404" });
    assert.deepEqual(await probeHttp(HOST, port, "/status/204", 200), { ok: true, detail: "HTTP 204" });
    assert.deepEqual(await probeHttp(HOST, port, "/status/302", 200), { ok: true, detail: "HTTP 302" });
  });

  it("accepts 2xx-3xx only", () => {
    const table: [number, boolean][] = [
      [100, false],
      [199, false],
      [200, true],
      [299, true],
      [301, true],
      [399, true],
      [400, false],
      [503, false],
    ];
    for (const [status, ok] of table) assert.equal(isHealthyHttpStatus(status), ok, String(status));
  });

  it("uses a fresh connection per probe and leaves none open", async () => {
    const before = tcpConnections;
    for (let i = 0; i < 3; i++) assert.equal((await probeHttp(HOST, port, "/", 200)).ok, true);
    assert.equal(tcpConnections - before, 3);
    await until(async () => (await connections(server)) === 0);
  });

  it("does not wait for the body", async () => {
    assert.deepEqual(await probeHttp(HOST, port, "/stream", 200), { ok: true, detail: "HTTP 200" });
    await until(async () => (await connections(server)) === 0);
  });

  it("times out on a server that never answers, and closes the connection", async () => {
    assert.deepEqual(await probeHttp(HOST, port, "/hang", 200), { ok: false, detail: "timed out after 200 ms" });
    await until(async () => (await connections(server)) === 0);
  });

  it("can be aborted while waiting", async () => {
    const ac = new AbortController();
    const p = probeHttp(HOST, port, "/hang", 5000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    assert.deepEqual(await p, { ok: false, detail: "aborted" });
    await until(async () => (await connections(server)) === 0);
  });

  it("fails with 'connection refused' when nothing listens", async () => {
    assert.deepEqual(await probeHttp(HOST, await closedPort(), "/", 200), { ok: false, detail: "connection refused" });
  });

  it("reports a path Node refuses to send instead of throwing", async () => {
    const r = await probeHttp(HOST, port, "/bad path", 200);
    assert.equal(r.ok, false);
    assert.match(r.detail, /path|character/i);
  });

  it("fails when the server closes the connection without answering", async () => {
    const rude = net.createServer((s) => s.destroy());
    const p = await listen(rude);
    try {
      const r = await probeHttp(HOST, p, "/", 200);
      assert.equal(r.ok, false);
      assert.match(r.detail, /reset|hang up/);
    } finally {
      await close(rude);
    }
  });
});
