import { ListServicesCommand } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { appRunnerClient, credentialsIn, eventually, spawnOpenRunner, startInProcess, tempDataDir, type Credentials, type SpawnedServer } from "./support/harness.js";
import { signRequest } from "./support/sigv4-signer.js";

const MiB = 1024 * 1024;

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * POSTs `body` with Node's HTTP client, which writes it all even when the answer comes first:
 * a server that resets the connection instead of answering makes this reject (ECONNRESET,
 * EPIPE). Resolves once the answer is read and the whole body written.
 */
function post(endpoint: string, headers: Record<string, string>, body: Buffer, opts: { chunked?: boolean } = {}): Promise<RawAnswer> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        headers: opts.chunked ? headers : { ...headers, "content-length": String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const answer = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") };
          if (req.writableFinished) resolve(answer);
          else req.once("finish", () => resolve(answer));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (opts.chunked) {
      // Written in pieces with no Content-Length: the server only learns the size by reading.
      for (let at = 0; at < body.length; at += MiB) req.write(body.subarray(at, at + MiB));
      req.end();
    } else {
      req.end(body);
    }
  });
}

async function signedHeaders(endpoint: string, credentials: Credentials, body: Buffer): Promise<Record<string, string>> {
  const signed = await signRequest({
    url: `${endpoint}/`,
    body: body.toString("latin1"),
    credentials,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AppRunner.ListServices" },
  });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") out[name] = value;
  return out;
}

/** Peak resident memory of a process, from /proc (VmHWM: the high-water mark, so no burst escapes between samples). */
function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m?.[1]) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) * 1024;
}

const errorType = (a: RawAnswer): string => (JSON.parse(a.body) as { __type?: string }).__type ?? "";

describe("request bodies against `openrunner up`: refused before they are read", () => {
  const data = tempDataDir();
  let server: SpawnedServer;
  let credentials: Credentials;
  before(async () => {
    server = await spawnOpenRunner(["--data-dir", data.dir, "--port", "0", "--runtime", "none"], { OPENRUNNER_ENGINE_STEP_DELAY_MS: "0" });
    credentials = credentialsIn(data.dir);
  });
  after(async () => {
    await server?.stop();
    data.remove();
  });

  it("48 unsigned 8 MB requests at once: every one answered 403, the server's peak memory barely moves", async (t) => {
    const pid = server.child.pid ?? 0;
    const client = appRunnerClient(server.endpoint, credentials);
    await client.send(new ListServicesCommand({}));
    const before = peakRssBytes(pid);
    const body = Buffer.alloc(8 * MiB, 0x61);
    const unsigned = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AppRunner.ListServices" };
    const stranger = { ...unsigned, authorization: `AWS4-HMAC-SHA256 Credential=AKIANOBODY0000000000/20260101/us-east-1/apprunner/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`, "x-amz-date": "20260101T000000Z" };
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => post(server.endpoint, i % 2 === 0 ? unsigned : stranger, body)));
    for (const [i, a] of answers.entries()) {
      assert.equal(a.status, 403, a.body);
      assert.equal(errorType(a), i % 2 === 0 ? "MissingAuthenticationTokenException" : "UnrecognizedClientException");
    }
    const grown = peakRssBytes(pid) - before;
    t.diagnostic(`peak RSS ${(before / MiB).toFixed(1)} MB -> ${((before + grown) / MiB).toFixed(1)} MB`);
    // Holding 384 MB of bodies took hundreds of MB more (24 of them: +154 to +200 MB); reading
    // and dropping them leaves read chunks for the garbage collector, which V8 collects every
    // ~64 MB of them, however many requests come.
    assert.ok(grown < 128 * MiB, `peak RSS grew by ${(grown / MiB).toFixed(1)} MB`);
    // The connections stay usable and the server answers as before.
    assert.deepEqual((await client.send(new ListServicesCommand({}))).ServiceSummaryList, []);
    client.destroy();
  });

  it("a signed 10 MB body: 413 RequestEntityTooLargeException, answered, not reset", async () => {
    const body = Buffer.alloc(10 * MiB, 0x20);
    const a = await post(server.endpoint, await signedHeaders(server.endpoint, credentials, body), body);
    assert.equal(a.status, 413, a.body);
    assert.equal(errorType(a), "RequestEntityTooLargeException");
    assert.match((JSON.parse(a.body) as { Message: string }).Message, /larger than 262144 bytes/);
  });

  it("a signed 10 MB body sent chunked, without a Content-Length: 413 as well", async () => {
    const body = Buffer.alloc(10 * MiB, 0x20);
    const a = await post(server.endpoint, { ...(await signedHeaders(server.endpoint, credentials, body)), "transfer-encoding": "chunked" }, body, { chunked: true });
    assert.equal(a.status, 413, a.body);
    assert.equal(errorType(a), "RequestEntityTooLargeException");
  });
});

describe("connections to the API endpoint", () => {
  it("are capped: past maxConnections a new one is closed unanswered, and served again once others go", async () => {
    const server = await startInProcess({ serverLimits: { maxConnections: 4 } });
    const held: Socket[] = [];
    try {
      const open = (): Promise<Socket> =>
        new Promise((resolve, reject) => {
          const s = connect(server.running.port, "127.0.0.1", () => resolve(s));
          s.on("error", reject);
        });
      for (let i = 0; i < 4; i++) held.push(await open());
      const extra = await open();
      const answer = await new Promise<string>((resolve) => {
        let got = "";
        extra.on("data", (c: Buffer) => (got += c.toString()));
        extra.on("close", () => resolve(got));
        extra.on("error", () => undefined);
        extra.write("GET /console/config.json HTTP/1.1\r\nHost: x\r\n\r\n");
      });
      assert.equal(answer, "", "the fifth connection got no answer");
      for (const s of held.splice(0)) s.destroy();
      // The server counts a connection until it has seen it close.
      await eventually(async () => (await server.client.send(new ListServicesCommand({}))).ServiceSummaryList, 10_000);
    } finally {
      for (const s of held) s.destroy();
      await server.close();
    }
  });
});
