import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { BackendPool } from "../../test/support/backend-server.js";
import { skipUnlessOnPath } from "../../test/support/host-tools.js";
import { freePort } from "../../test/support/router-client.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CertificateRenewalOutcome } from "./certificate-renewal.js";
import { HaproxyRouter, type DataPlaneRestart } from "./router.js";
import type { ServiceRoute } from "./types.js";

const run = promisify(execFile);
const REGION = "us-east-1";
const DOMAIN = "openrunner.test";
const serviceUrl = (name: string) => `${name}.${REGION}.${DOMAIN}`;
const until = async (what: string, ok: () => boolean | Promise<boolean>, tries = 200): Promise<void> => {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
};

/** A throwaway CA in the test's temp dir and leaf certificates it signs (cert + chain + key in one PEM). */
class TestCa {
  private serial = 1;
  constructor(private readonly dir: string) {}
  async init(): Promise<void> {
    await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(this.dir, "ca.key"),
      "-out", join(this.dir, "ca.crt"), "-days", "2", "-subj", "/CN=OpenRunner test CA"]);
  }
  async leaf(names: string[]): Promise<string> {
    const n = this.serial++;
    const f = (ext: string) => join(this.dir, `leaf${n}.${ext}`);
    await writeFile(f("ext"), `subjectAltName=${names.map((x) => `DNS:${x}`).join(",")}\nextendedKeyUsage=serverAuth\n`);
    await run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("key"), "-out", f("csr"), "-subj", `/CN=${names[0] ?? "x"}`]);
    await run("openssl", ["x509", "-req", "-in", f("csr"), "-CA", join(this.dir, "ca.crt"), "-CAkey", join(this.dir, "ca.key"), "-set_serial", String(1000 + n),
      "-days", "1", "-extfile", f("ext"), "-out", f("crt")]);
    return [await readFile(f("crt"), "utf8"), await readFile(join(this.dir, "ca.crt"), "utf8"), await readFile(f("key"), "utf8")].join("");
  }
}

/** A TLS connection with this SNI name (no verification: the test looks at which certificate came). */
function connectTls(port: number, servername: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => resolve(s));
    s.once("error", reject);
  });
}

async function servedCert(port: number, servername: string): Promise<{ san: string; serial: string }> {
  const s = await connectTls(port, servername);
  const c = s.getPeerCertificate();
  s.destroy();
  return { san: c.subjectaltname ?? "", serial: c.serialNumber };
}

/** One HTTP/1.1 request on an open (keep-alive) TLS connection; resolves with status and body. */
function requestOn(socket: TLSSocket, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let data = "";
    const onData = (c: Buffer) => {
      data += c.toString("utf8");
      const head = data.indexOf("\r\n\r\n");
      if (head < 0) return;
      const len = /content-length: *(\d+)/i.exec(data.slice(0, head))?.[1];
      let body = data.slice(head + 4);
      if (len !== undefined) {
        if (body.length < Number(len)) return;
      } else {
        // chunked: complete at the last chunk; the test bodies are one chunk
        if (!body.endsWith("\r\n0\r\n\r\n")) return;
        body = body.slice(body.indexOf("\r\n") + 2, body.length - "\r\n0\r\n\r\n".length);
      }
      socket.off("data", onData);
      socket.off("error", reject);
      resolve({ status: Number(data.split(" ")[1]), body });
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

function get(port: number, host: string, path = "/"): Promise<{ status: number; body: string; type: string; location: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), type: String(res.headers["content-type"] ?? ""), location: String(res.headers.location ?? "") }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const nameOf = (r: { body: string }) => (JSON.parse(r.body) as { name: string }).name;

/** One request over HTTPS with SNI = host (the http port redirects everything but HTTP-01 while HTTPS is on). */
async function getTls(port: number, host: string): Promise<{ status: number; body: string }> {
  const s = await connectTls(port, host.split(":")[0] ?? host);
  try {
    return await requestOn(s, host);
  } finally {
    s.destroy();
  }
}

const logger = (): void => undefined;

describe("HaproxyRouter custom domains (real HAProxy)", { skip: skipUnlessOnPath("haproxy") }, () => {
  let dir: string;
  let routerDir: string;
  let router: HaproxyRouter;
  let httpPort: number;
  let httpsPort: number;
  let ca: TestCa;
  const restarts: DataPlaneRestart[] = [];
  const pool = new BackendPool();
  const route = (id: string, backendName: string, port: number, extra: Partial<ServiceRoute> = {}): ServiceRoute => ({
    serviceId: id,
    serviceName: id,
    hosts: [serviceUrl(id)],
    state: "serving",
    maxConcurrency: 10,
    instances: [{ id: backendName, address: "127.0.0.1", port }],
    ...extra,
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "or-custom-domains-"));
    routerDir = join(dir, "router");
    ca = new TestCa(dir);
    await ca.init();
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    router = new HaproxyRouter({ routerDir, httpPort, httpsPort, region: REGION, baseDomain: DOMAIN, logger, onRestart: (r) => restarts.push(r) });
    await router.start();
  });

  after(async () => {
    await router.stop();
    await pool.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("SNI: a custom name gets its certificate, other names the router's default; its hosts reach the service over HTTPS", async () => {
    const a = await pool.start("sni-a");
    await router.apply(route("sni", "sni-a", a.port));
    await router.setCustomDomainHosts("sni", ["example.com", "www.example.com"]);
    await router.putCertificate("example.com", await ca.leaf(["example.com", "www.example.com"]));
    assert.match((await servedCert(httpsPort, "www.example.com")).san, /DNS:www\.example\.com/);
    assert.match((await servedCert(httpsPort, "example.com")).san, /DNS:example\.com/);
    assert.match((await servedCert(httpsPort, "other.example.net")).san, /DNS:\*\.us-east-1\.openrunner\.test/, "the router's own certificate is the default");
    const s = await connectTls(httpsPort, "www.example.com");
    try {
      assert.equal(nameOf(await requestOn(s, "www.example.com")), "sni-a");
    } finally {
      s.destroy();
    }
    const file = join(routerDir, "certs", "example.com.pem");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readFileSync(join(routerDir, "certificates.crtlist"), "utf8").split("\n"), [join(routerDir, "tls.pem"), file, ""]);
    // Custom hosts are counted with their service (request log and metrics follow the backend).
    const counters = await router.counters();
    assert.ok((counters.backends.find((b) => b.serviceId === "sni")?.requests ?? 0) >= 1);
  });

  test("a certificate replaced under an open keep-alive connection: that connection goes on, new ones get the new certificate", async () => {
    const before = await servedCert(httpsPort, "example.com");
    const s = await connectTls(httpsPort, "example.com");
    try {
      assert.equal(nameOf(await requestOn(s, "example.com")), "sni-a");
      const reloads = router.reloadTimes.length;
      await router.putCertificate("example.com", await ca.leaf(["example.com", "www.example.com"]));
      assert.equal(nameOf(await requestOn(s, "example.com")), "sni-a", "the open connection still serves");
      assert.equal(s.destroyed, false);
      const after = await servedCert(httpsPort, "example.com");
      assert.notEqual(after.serial, before.serial);
      assert.match(after.san, /DNS:example\.com/);
      assert.equal(router.reloadTimes.length, reloads, "no reload");
    } finally {
      s.destroy();
    }
  });

  test("a bad PEM is refused before HAProxy sees it; the data plane is untouched", async () => {
    const crtList = readFileSync(join(routerDir, "certificates.crtlist"), "utf8");
    const good = await ca.leaf(["bad.example.com"]);
    const otherKey = await ca.leaf(["x.example.com"]);
    const mismatched = good.replace(/-----BEGIN PRIVATE KEY-----[\s\S]+$/, /-----BEGIN PRIVATE KEY-----[\s\S]+$/.exec(otherKey)?.[0] ?? "");
    for (const pem of ["not a pem", good.replace(/-----BEGIN PRIVATE KEY-----[\s\S]+$/, ""), mismatched]) {
      await assert.rejects(router.putCertificate("bad.example.com", pem), (e: unknown) => e instanceof AppRunnerError && e.code === "InvalidRequest");
    }
    await assert.rejects(router.putCertificate("../escape", good), (e: unknown) => e instanceof AppRunnerError && e.code === "InvalidRequest");
    assert.equal(existsSync(join(routerDir, "certs", "bad.example.com.pem")), false);
    assert.equal(readFileSync(join(routerDir, "certificates.crtlist"), "utf8"), crtList);
    assert.doesNotMatch(await router.process.admin.command("show ssl cert"), /bad\.example\.com/);
    assert.match((await servedCert(httpsPort, "example.com")).san, /DNS:example\.com/);
  });

  test("exact names beat wildcards, ServiceUrls beat both; custom hosts wait for their service's route and follow remove/apply", async () => {
    const [w, l] = [await pool.start("wild"), await pool.start("login")];
    await router.apply(route("wild", "wild", w.port));
    await router.apply(route("login", "login", l.port));
    await router.setCustomDomainHosts("wild", ["*.example.org", serviceUrl("login")]);
    await router.setCustomDomainHosts("login", ["login.example.org"]);
    assert.equal(nameOf(await getTls(httpsPort, "a.example.org")), "wild");
    assert.equal(nameOf(await getTls(httpsPort, "LOGIN.example.org:80")), "login");
    assert.equal(nameOf(await getTls(httpsPort, serviceUrl("login"))), "login", "a ServiceUrl is never taken over");
    assert.equal((await getTls(httpsPort, "example.org")).status, 404, "*.example.org does not cover example.org");
    assert.equal((await getTls(httpsPort, "a.b.example.org")).status, 404, "nor deeper names");
    await router.setCustomDomainHosts("later", ["later.example.net"]);
    assert.equal((await getTls(httpsPort, "later.example.net")).status, 404);
    const t = await pool.start("later");
    await router.apply(route("later", "later", t.port));
    assert.equal(nameOf(await getTls(httpsPort, "later.example.net")), "later");
    await router.remove("later");
    assert.equal((await getTls(httpsPort, "later.example.net")).status, 404);
    await router.apply(route("later", "later", t.port));
    assert.equal(nameOf(await getTls(httpsPort, "later.example.net")), "later", "kept until the control plane clears them");
    await router.apply(route("later", "later", t.port, { state: "paused", instances: [] }));
    assert.equal((await getTls(httpsPort, "later.example.net")).status, 503, "a paused service's custom host answers the paused page");
    await router.setCustomDomainHosts("later", []);
    assert.equal((await getTls(httpsPort, "later.example.net")).status, 404);
    assert.match(readFileSync(join(routerDir, "wildcards.map"), "utf8"), /^example\.org s_wild$/m);
  });

  test("HTTP-01: a token answers for any host on the http port before the HTTPS redirect; unknown tokens redirect", async () => {
    const token = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
    const keyAuth = `${token}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI`;
    await router.setHttpChallenge(token, keyAuth);
    const r = await get(httpPort, "anything.example.com", `/.well-known/acme-challenge/${token}`);
    assert.deepEqual([r.status, r.body, r.type], [200, keyAuth, "text/plain"]);
    const unknown = await get(httpPort, "anything.example.com", "/.well-known/acme-challenge/other");
    assert.equal(unknown.status, 301);
    assert.match(unknown.location, /^https:\/\/anything\.example\.com:\d+\/\.well-known\/acme-challenge\/other$/);
    await assert.rejects(router.setHttpChallenge("bad token", keyAuth), (e: unknown) => e instanceof AppRunnerError && e.code === "InvalidRequest");
    await router.setHttpChallenge("second", "second.thumb");
    await router.clearHttpChallenge("second");
    assert.equal((await get(httpPort, "x.test", "/.well-known/acme-challenge/second")).status, 301);
  });

  test("a HAProxy killed from outside comes back serving the custom certificates, hosts and challenges", async () => {
    await router.putCertificate("*.example.org", await ca.leaf(["*.example.org"]));
    const master = router.process.masterPid ?? 0;
    process.kill(master, "SIGKILL");
    await until("the watchdog's restart", () => restarts.length > 0);
    assert.equal(restarts[0]?.previousMasterPid, master);
    assert.match((await servedCert(httpsPort, "www.example.com")).san, /DNS:www\.example\.com/);
    assert.match((await servedCert(httpsPort, "a.example.org")).san, /DNS:\*\.example\.org/);
    assert.equal(nameOf(await getTls(httpsPort, "a.example.org")), "wild");
    assert.equal(nameOf(await getTls(httpsPort, "login.example.org")), "login");
    assert.equal((await get(httpPort, "x.test", "/.well-known/acme-challenge/LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0")).status, 200);
  });

  test("removeCertificate: the name falls back to the default certificate; file and crt-list line gone", async () => {
    await router.removeCertificate("example.com");
    assert.match((await servedCert(httpsPort, "example.com")).san, /DNS:\*\.us-east-1\.openrunner\.test/);
    assert.equal(existsSync(join(routerDir, "certs", "example.com.pem")), false);
    assert.doesNotMatch(readFileSync(join(routerDir, "certificates.crtlist"), "utf8"), /example\.com\.pem/);
    assert.match((await servedCert(httpsPort, "a.example.org")).san, /DNS:\*\.example\.org/, "others stay");
    await router.removeCertificate("example.com"); // idempotent
  });
});

describe("HaproxyRouter's own certificate renewal (real HAProxy, real timer)", { skip: skipUnlessOnPath("haproxy") }, () => {
  test("a certificate inside the renew-before window is reissued by the background check and served live", async () => {
    const dir = await mkdtemp(join(tmpdir(), "or-router-renewal-"));
    const outcomes: CertificateRenewalOutcome[] = [];
    const httpsPort = await freePort();
    // Leaves are issued for 365 days: a 400-day window makes every check reissue.
    const router = new HaproxyRouter({
      routerDir: dir, httpPort: await freePort(), httpsPort, region: REGION, baseDomain: DOMAIN, logger,
      certificateCheckMs: 300, renewBeforeMs: 400 * 86_400_000, onCertificateRenewal: (o) => outcomes.push(o),
    });
    try {
      await router.start();
      const first = await servedCert(httpsPort, serviceUrl("x"));
      const s = await connectTls(httpsPort, serviceUrl("x"));
      await until("a renewal", () => outcomes.some((o) => o.status === "ok" && /renewed/.test(o.message)));
      await until("the renewed certificate served", async () => (await servedCert(httpsPort, serviceUrl("x"))).serial !== first.serial);
      assert.equal(s.destroyed, false, "connections under way are kept");
      s.destroy();
      const served = new X509Certificate(readFileSync(join(dir, "tls.pem"), "utf8"));
      assert.ok(outcomes.every((o) => o.status === "ok"), JSON.stringify(outcomes));
      assert.ok(outcomes[0]?.notAfter && Math.abs(outcomes[0].notAfter.getTime() - Date.parse(served.validTo)) < 400 * 86_400_000);
      assert.equal(router.reloadTimes.length, 0, "no reload");
    } finally {
      await router.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
