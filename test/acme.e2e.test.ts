import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer as createTlsServer } from "node:tls";
import { after, before, describe, test } from "node:test";
import acme from "acme-client";
import { createCertificateAuthority } from "../src/acme/index.js";
import type { AcmeSettings, ChallengeSolver, ChallengeType, IssuedCertificate, PresentedChallenge } from "../src/acme/types.js";
import { AppRunnerError } from "../src/errors/app-runner-error.js";
import { systemClock } from "../src/util/clock.js";
import { PEBBLE_SKIP, startPebble, type PebbleRig, type WorldDns } from "./support/pebble.js";

const quiet = (): void => undefined;

/**
 * The user's DNS in this test of the ACME client alone: the TXT record goes straight into
 * challtestsrv (OpenRunner's own zone server and CNAMEs are the custom-domains tests' part).
 */
function txtSolver(dns: WorldDns, seen: PresentedChallenge[], value?: (c: PresentedChallenge) => string): ChallengeSolver & { cleanups: number } {
  const solver = {
    cleanups: 0,
    async present(c: PresentedChallenge) {
      seen.push(c);
      await dns.setTxt(`_acme-challenge.${c.identifier}`, value ? value(c) : (c.dnsValue ?? ""));
    },
    async cleanup(c: PresentedChallenge) {
      solver.cleanups++;
      await dns.clearTxt(`_acme-challenge.${c.identifier}`);
    },
  };
  return solver;
}

/** The tokens a node http server on pebble's HTTP-01 port answers, as the router's would. */
class TokenServer {
  readonly tokens = new Map<string, string>();
  readonly served: string[] = [];
  readonly server: Server = createServer((req, res) => {
    this.served.push(req.url ?? "");
    const token = /^\/\.well-known\/acme-challenge\/([^/]+)$/.exec(req.url ?? "")?.[1];
    const body = token === undefined ? undefined : this.tokens.get(token);
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "text/plain" }).end(body ?? "");
  });
  readonly solver: ChallengeSolver = {
    present: async (c) => void this.tokens.set(c.token, c.keyAuthorization),
    cleanup: async (c) => void this.tokens.delete(c.token),
  };
}

const unused: ChallengeSolver = {
  present: () => Promise.reject(new Error("this test answers no such challenge")),
  cleanup: () => Promise.resolve(),
};

/** A real TLS handshake with the issued certificate, by a client trusting only pebble's root. */
async function handshake(issued: IssuedCertificate, root: string, servername: string): Promise<{ authorized: boolean; error?: string; subject?: string }> {
  const server = createTlsServer({ cert: issued.certificatePem, key: issued.privateKeyPem });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, servername, ca: root, rejectUnauthorized: false, timeout: 10_000 }, () => {
        const peer = socket.getPeerX509Certificate();
        resolve({ authorized: socket.authorized, ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}), ...(peer ? { subject: peer.subject } : {}) });
        socket.end();
      });
      socket.on("timeout", () => socket.destroy(new Error("TLS handshake timed out")));
      socket.on("error", reject);
    });
  } finally {
    server.close();
  }
}

describe("ACME certificates from pebble (acme-client, real DNS through unbound)", { timeout: 5 * 60_000, skip: PEBBLE_SKIP }, () => {
  let rig: PebbleRig;
  let root: string;
  let dir: string;
  const settings = (accountDir: string): AcmeSettings => ({ directoryUrl: rig.directoryUrl, caCertificatesFile: rig.caFile, accountDir, email: "ops@example.test" });

  before(async () => {
    rig = await startPebble();
    root = await rig.roots();
    dir = mkdtempSync(join(tmpdir(), "openrunner-acme-e2e-"));
  });
  after(async () => {
    await rig?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("DNS-01 for a domain and its www: one certificate for both, chaining to pebble's root; the account kept 0600", async () => {
    const accountDir = join(dir, "dns01");
    const ca = createCertificateAuthority(settings(accountDir), { clock: systemClock, logger: quiet });
    const seen: PresentedChallenge[] = [];
    const dns = txtSolver(rig.dns, seen);
    const issued = await ca.issue({ names: ["shop.example.test", "www.shop.example.test"], challengeFor: () => "dns-01", solvers: { "dns-01": dns, "http-01": unused } });

    assert.deepEqual(seen.map((c) => [c.type, c.identifier, c.wildcard]).sort(), [["dns-01", "shop.example.test", false], ["dns-01", "www.shop.example.test", false]]);
    assert.equal(dns.cleanups, 2, "every proof is withdrawn");
    const leaf = new X509Certificate(issued.certificatePem);
    assert.match(leaf.subjectAltName ?? "", /DNS:shop\.example\.test/);
    assert.match(leaf.subjectAltName ?? "", /DNS:www\.shop\.example\.test/);
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1", "the leaf key is EC P-256");
    assert.ok(leaf.checkPrivateKey(await import("node:crypto").then((c) => c.createPrivateKey(issued.privateKeyPem))));
    assert.equal(issued.notAfter.getTime(), new Date(leaf.validTo).getTime());
    assert.ok(issued.notBefore < issued.notAfter);
    assert.match(issued.issuer, /Pebble Intermediate/);
    for (const name of ["shop.example.test", "www.shop.example.test"]) {
      const tls = await handshake(issued, root, name);
      assert.equal(tls.authorized, true, `${name}: ${tls.error}`);
    }
    const other = await handshake(issued, root, "other.example.test");
    assert.match(other.error ?? "", /ERR_TLS_CERT_ALTNAME_INVALID|altname/i, "the certificate is for its names only");
    assert.equal(statSync(join(accountDir, "account.key")).mode & 0o777, 0o600);
    assert.equal(statSync(join(accountDir, "account.json")).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(join(accountDir, "account.json"), "utf8")).directoryUrl, rig.directoryUrl);
  });

  test("a wildcard and its base by DNS-01, whatever the caller would choose for the wildcard", async () => {
    const ca = createCertificateAuthority(settings(join(dir, "wildcard")), { clock: systemClock, logger: quiet });
    const seen: PresentedChallenge[] = [];
    const asked: string[] = [];
    const challengeFor = (name: string): ChallengeType => (asked.push(name), "dns-01");
    const issued = await ca.issue({ names: ["*.wild.example.test", "wild.example.test"], challengeFor, solvers: { "dns-01": txtSolver(rig.dns, seen), "http-01": unused } });
    assert.deepEqual(seen.map((c) => [c.identifier, c.wildcard]).sort(), [["wild.example.test", false], ["wild.example.test", true]]);
    assert.deepEqual(asked, ["wild.example.test"], "the wildcard's challenge is dns-01 without asking");
    assert.equal((await handshake(issued, root, "anything.wild.example.test")).authorized, true);
    assert.equal((await handshake(issued, root, "wild.example.test")).authorized, true);
  });

  test("HTTP-01: the key authorization served on pebble's HTTP port", async () => {
    const tokens = new TokenServer();
    await new Promise<void>((resolve) => tokens.server.listen(rig.httpPort, "127.0.0.1", resolve));
    try {
      const ca = createCertificateAuthority(settings(join(dir, "http01")), { clock: systemClock, logger: quiet });
      const issued = await ca.issue({ names: ["web.example.test"], challengeFor: () => "http-01", solvers: { "dns-01": unused, "http-01": tokens.solver } });
      assert.equal((await handshake(issued, root, "web.example.test")).authorized, true);
      assert.ok(tokens.served.some((u) => u.startsWith("/.well-known/acme-challenge/")), `pebble fetched the token: ${tokens.served.join(", ")}`);
      assert.equal(tokens.tokens.size, 0, "the token is withdrawn");
    } finally {
      tokens.server.close();
    }
  });

  test("the account is registered once and reused after a restart (same account.json, no second newAccount)", async () => {
    const accountDir = join(dir, "restart");
    // pebble's newAccount URL is /sign-me-up; every ACME request goes through the library's axios instance.
    const newAccountPosts: string[] = [];
    const spy = acme.axios.interceptors.request.use((config) => {
      if (config.method?.toLowerCase() === "post" && /\/sign-me-up$/.test(config.url ?? "")) newAccountPosts.push(config.url ?? "");
      return config;
    });
    try {
      const logged: string[] = [];
      const logger = (m: string): void => void logged.push(m);
      const names = ["restart.example.test"];
      const solvers = { "dns-01": txtSolver(rig.dns, []), "http-01": unused };
      await createCertificateAuthority(settings(accountDir), { clock: systemClock, logger }).issue({ names, challengeFor: () => "dns-01", solvers });
      const first = readFileSync(join(accountDir, "account.json"), "utf8");
      const key = readFileSync(join(accountDir, "account.key"), "utf8");
      assert.equal(newAccountPosts.length, 1, "the first order registers the account");
      // A new CertificateAuthority on the same directory is what a restart of OpenRunner makes.
      await createCertificateAuthority(settings(accountDir), { clock: systemClock, logger }).issue({ names, challengeFor: () => "dns-01", solvers });
      assert.equal(newAccountPosts.length, 1, "no second registration");
      assert.equal(readFileSync(join(accountDir, "account.json"), "utf8"), first);
      assert.equal(readFileSync(join(accountDir, "account.key"), "utf8"), key);
      assert.equal(logged.filter((m) => m === "acme account registered").length, 1);
    } finally {
      acme.axios.interceptors.request.eject(spy);
    }
  });

  test("a wrong TXT value fails with CertificateIssuanceFailed naming the name, the challenge and the CA's detail, and is cleaned up", async () => {
    const ca = createCertificateAuthority(settings(join(dir, "failing")), { clock: systemClock, logger: quiet });
    const solver = txtSolver(rig.dns, [], () => "not-the-digest");
    await assert.rejects(
      ca.issue({ names: ["broken.example.test"], challengeFor: () => "dns-01", solvers: { "dns-01": solver, "http-01": unused } }),
      (err: unknown) => {
        assert.ok(err instanceof AppRunnerError, String(err));
        assert.equal(err.code, "CertificateIssuanceFailed");
        assert.match(err.message, /^Validating broken\.example\.test by dns-01 failed: /);
        assert.match(err.message, /Correct value not found for DNS challenge/, "pebble's own problem detail");
        return true;
      },
    );
    assert.equal(solver.cleanups, 1, "the wrong record is withdrawn too");
  });

  test("an order whose proof never gets published ends at the order's bound, still withdrawing it", async () => {
    const ca = createCertificateAuthority(settings(join(dir, "bounded")), { clock: systemClock, logger: quiet, orderTimeoutMs: 3000 });
    let cleanups = 0;
    const stuck: ChallengeSolver = { present: () => new Promise<void>(() => undefined), cleanup: async () => void cleanups++ };
    await assert.rejects(
      ca.issue({ names: ["stuck.example.test"], challengeFor: () => "dns-01", solvers: { "dns-01": stuck, "http-01": unused } }),
      (err: unknown) => err instanceof AppRunnerError && err.code === "CertificateIssuanceFailed" && /^Validating stuck\.example\.test by dns-01 was stopped: /.test(err.message),
    );
    assert.equal(cleanups, 1);
  });
});

describe("ACME external account binding (pebble with externalAccountBindingRequired)", { timeout: 3 * 60_000, skip: PEBBLE_SKIP }, () => {
  const kid = "kid-1";
  const hmacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  let rig: PebbleRig;
  let dir: string;
  before(async () => {
    rig = await startPebble({ externalAccountMACKeys: { [kid]: hmacKey } });
    dir = mkdtempSync(join(tmpdir(), "openrunner-acme-eab-"));
  });
  after(async () => {
    await rig?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("without EAB the registration is refused with the CA's reason; with it the account registers and orders", async () => {
    const base = { directoryUrl: rig.directoryUrl, caCertificatesFile: rig.caFile };
    const request = { names: ["eab.example.test"], challengeFor: (): ChallengeType => "dns-01", solvers: { "dns-01": txtSolver(rig.dns, []), "http-01": unused } };
    await assert.rejects(
      createCertificateAuthority({ ...base, accountDir: join(dir, "none") }, { clock: systemClock, logger: quiet }).issue(request),
      (err: unknown) => err instanceof AppRunnerError && err.code === "CertificateIssuanceFailed" && /^Registering an ACME account with .* failed: .*externalAccountBinding/.test(err.message),
    );
    const ca = createCertificateAuthority({ ...base, accountDir: join(dir, "eab"), externalAccountBinding: { kid, hmacKey } }, { clock: systemClock, logger: quiet });
    const issued = await ca.issue(request);
    assert.equal((await handshake(issued, await rig.roots(), "eab.example.test")).authorized, true);
  });
});
