import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GIT_WEBHOOK_PATH, gitWebhookRoute, gitWebhookSecret, pushOf, verifySignature, type GitPush } from "./webhook.js";

const SHA = "3f2a1c9d8e7f60514233241506978a9b0c1d2e3f";
const sign = (secret: string, body: string): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("git webhook (pure)", () => {
  it("verifies X-Hub-Signature-256", () => {
    const body = '{"zen":"Keep it logically awesome."}';
    const good = sign("s3cret", body);
    const table: [string, string | Buffer, string | undefined, boolean][] = [
      ["s3cret", body, good, true],
      ["s3cret", Buffer.from(body), good, true],
      ["s3cret", body, good.toUpperCase().replace("SHA256=", "sha256="), true],
      ["s3cret", `${body} `, good, false],
      ["other", body, good, false],
      ["s3cret", body, good.replace("sha256=", "sha1="), false],
      ["s3cret", body, good.slice(0, -2), false],
      ["s3cret", body, `${good}00`, false],
      ["s3cret", body, "sha256=zz", false],
      ["s3cret", body, "", false],
      ["s3cret", body, undefined, false],
      ["", body, sign("", body), false],
    ];
    for (const [secret, b, header, want] of table) assert.equal(verifySignature(secret, b, header), want, `${secret} ${String(header)}`);
  });

  it("reads a branch push, and nothing else", () => {
    const repository = {
      clone_url: "https://github.com/o/r.git",
      html_url: "https://github.com/o/r",
      ssh_url: "git@github.com:o/r.git",
      url: "https://github.com/o/r",
    };
    const table: [unknown, GitPush | undefined][] = [
      [
        { ref: "refs/heads/main", after: SHA, repository },
        { urls: ["https://github.com/o/r.git", "https://github.com/o/r", "git@github.com:o/r.git"], branch: "main", commit: SHA },
      ],
      [{ ref: "refs/heads/feature/x", after: SHA.toUpperCase(), repository: { clone_url: "http://h/r" } }, { urls: ["http://h/r"], branch: "feature/x", commit: SHA }],
      [{ ref: "refs/tags/v1", after: SHA, repository }, undefined],
      [{ ref: "refs/heads/main", after: "0".repeat(40), deleted: true, repository }, undefined],
      [{ ref: "refs/heads/main", after: SHA, deleted: true, repository }, undefined],
      [{ ref: "refs/heads/", after: SHA, repository }, undefined],
      [{ ref: "refs/heads/main", after: "abc", repository }, undefined],
      [{ ref: "refs/heads/main", after: SHA }, undefined],
      [{ ref: "refs/heads/main", after: SHA, repository: {} }, undefined],
      [{ zen: "ping" }, undefined],
      [null, undefined],
      ["text", undefined],
    ];
    for (const [event, want] of table) assert.deepEqual(pushOf(event), want, JSON.stringify(event));
  });
});

describe("git webhook route", () => {
  let server: Server;
  let base: string;
  let dir: string;
  let secret: string;
  const pushes: GitPush[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "openrunner-webhook-"));
    secret = gitWebhookSecret(dir);
    const route = gitWebhookRoute({ secret, onPush: async (p) => void pushes.push(p), logger: () => undefined });
    server = createServer((req, res) => {
      if (!route.matches(req)) {
        res.writeHead(404).end();
        return;
      }
      route.handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (event: string, body: string, signature: string | undefined, contentType = "application/json"): Promise<Response> =>
    fetch(`${base}${GIT_WEBHOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": contentType, "x-github-event": event, ...(signature === undefined ? {} : { "x-hub-signature-256": signature }) },
      body,
    });

  it("keeps one 0600 secret per data directory", () => {
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, "git-webhook.secret")).mode & 0o777, 0o600);
    assert.equal(gitWebhookSecret(dir), secret);
  });

  it("answers ping, refuses bad signatures, and hands branch pushes on", async () => {
    const ping = JSON.stringify({ zen: "Design for failure.", hook_id: 1 });
    assert.equal((await post("ping", ping, sign(secret, ping))).status, 200);

    const body = JSON.stringify({ ref: "refs/heads/main", after: SHA, repository: { clone_url: "http://127.0.0.1:1/app" } });
    assert.equal((await post("push", body, undefined)).status, 401);
    assert.equal((await post("push", body, sign("wrong", body))).status, 401);
    assert.equal(pushes.length, 0, "nothing unsigned gets through");

    const res = await post("push", body, sign(secret, body));
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { message: "accepted", branch: "main", commit: SHA });
    const form = `payload=${encodeURIComponent(body)}`;
    assert.equal((await post("push", form, sign(secret, form), "application/x-www-form-urlencoded")).status, 202);
    const tag = JSON.stringify({ ref: "refs/tags/v1", after: SHA, repository: { clone_url: "http://h/r" } });
    assert.equal((await post("push", tag, sign(secret, tag))).status, 202);
    assert.equal((await post("issues", "{}", sign(secret, "{}"))).status, 202);
    assert.equal((await post("push", "not json", sign(secret, "not json"))).status, 400);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(pushes, [
      { urls: ["http://127.0.0.1:1/app"], branch: "main", commit: SHA },
      { urls: ["http://127.0.0.1:1/app"], branch: "main", commit: SHA },
    ]);
    assert.equal((await fetch(`${base}${GIT_WEBHOOK_PATH}`)).status, 405);
  });
});
