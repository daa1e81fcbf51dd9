import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleRoute } from "./route.js";

describe("console route", () => {
  let parent: string;
  let dist: string;
  let server: Server;
  let base = "";
  const route = (): ReturnType<typeof consoleRoute> => consoleRoute({ region: "eu-west-1", baseDomain: "example.test", distDir: dist });
  const req = (method: string, url: string, accept?: string): IncomingMessage =>
    ({ method, url, headers: accept ? { accept } : {} }) as IncomingMessage;

  before(async () => {
    parent = mkdtempSync(join(tmpdir(), "openrunner-console-"));
    dist = join(parent, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dist, "assets", "index-abc123.css"), "body{}");
    writeFileSync(join(parent, "secret.txt"), "secret");
    const r = route();
    server = createServer((q, s) => {
      if (r.matches(q)) void r.handle(q, s);
      else s.writeHead(418).end();
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(parent, { recursive: true, force: true });
  });

  it("takes only browser reads: the API's POST / and non-HTML GET / stay with the API handler", () => {
    const r = route();
    assert.equal(r.matches(req("POST", "/", "text/html")), false);
    assert.equal(r.matches(req("GET", "/")), false);
    assert.equal(r.matches(req("GET", "/metrics", "text/html")), false);
    assert.equal(r.matches(req("GET", "/", "text/html,application/xhtml+xml")), true);
    assert.equal(r.matches(req("POST", "/console/")), false);
    assert.equal(r.matches(req("GET", "/console/services/x")), true);
    assert.equal(r.matches(req("GET", "/consoles")), false);
  });

  it("redirects browsers to /console/ and serves the region and base domain", async () => {
    const root = await fetch(`${base}/`, { headers: { accept: "text/html" }, redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/console/");
    const config = await fetch(`${base}/console/config.json`);
    assert.equal(config.headers.get("cache-control"), "no-store");
    assert.deepEqual(await config.json(), { region: "eu-west-1", baseDomain: "example.test", serviceUrlTemplate: "https://{host}" });
  });

  it("serves hashed assets for a year, index.html for client-side routes, and 404 for missing files", async () => {
    const js = await fetch(`${base}/console/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(js.headers.get("cache-control") ?? "", /max-age=31536000, immutable/);
    assert.equal((await fetch(`${base}/console/assets/index-abc123.css`)).headers.get("content-type"), "text/css; charset=utf-8");
    for (const path of ["/console/", "/console/services/hello/0123", "/console/create"]) {
      const page = await fetch(`${base}${path}`);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(page.headers.get("cache-control"), "no-cache");
      assert.match(await page.text(), /<title>console<\/title>/);
    }
    assert.equal((await fetch(`${base}/console/assets/gone-123.js`)).status, 404);
    assert.equal((await fetch(`${base}/console/favicon.ico`)).status, 404);
  });

  it("never serves a file outside its directory", async () => {
    for (const path of ["/console/..%2fsecret.txt", "/console/assets/..%2f..%2fsecret.txt", "/console/%2e%2e/secret.txt"]) {
      const res = await fetch(`${base}${path}`);
      assert.notEqual(await res.text(), "secret", path);
    }
  });
});
