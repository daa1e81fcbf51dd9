import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import type { CertificateAuthority } from "../acme/types.js";
import { DEFAULT_QUOTAS, type ControlPlaneConfig } from "../domain/config.js";
import { certificateNames, CUSTOM_DOMAIN_STATUS, type CustomDomainDoc } from "../domain/custom-domains.js";
import type { CustomDomainDataPlane } from "../router/types.js";
import { Store } from "../store/store.js";
import { ServiceEventRecorder } from "../telemetry/service-events.js";
import { ManualClock } from "../util/clock.js";
import { ManualTimers } from "../util/manual-timers.js";
import { cryptoRandom } from "../util/random.js";
import { CertificateFiles } from "./certificate-files.js";
import { CustomDomainController } from "./controller.js";
import { CUSTOM_DOMAIN_DETAIL_TYPE } from "./events.js";
import { DEFAULT_TIMINGS } from "./schedule.js";

const config: ControlPlaneConfig = { region: "us-east-1", accountId: "123456789012", baseDomain: "openrunner.localhost", quotas: DEFAULT_QUOTAS };
const SERVICE = "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef0123456789abcdef";
const DAY = 86_400_000;

interface Rig {
  store: Store;
  clock: ManualClock;
  dir: string;
  plane: string[];
  controller: (authority?: CertificateAuthority, cnameOk?: boolean) => CustomDomainController;
  doc: (domain: string) => CustomDomainDoc | undefined;
  bus: () => Record<string, unknown>[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function rig(): Rig {
  const store = Store.open(":memory:");
  const clock = new ManualClock();
  const dir = mkdtempSync(join(tmpdir(), "custom-domains-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  store.resources.insert({ arn: SERVICE, kind: "service", name: "web", status: "RUNNING", doc: { ServiceId: "0123456789abcdef0123456789abcdef", ServiceUrl: "abc.us-east-1.openrunner.localhost" }, createdAt: clock.now() });
  const plane: string[] = [];
  const dataPlane: CustomDomainDataPlane = {
    setCustomDomainHosts: (id, hosts) => Promise.resolve(void plane.push(`hosts ${id} ${hosts.join(",")}`)),
    putCertificate: (id) => Promise.resolve(void plane.push(`put ${id}`)),
    removeCertificate: (id) => Promise.resolve(void plane.push(`remove ${id}`)),
    setHttpChallenge: () => Promise.resolve(),
    clearHttpChallenge: () => Promise.resolve(),
  };
  return {
    store,
    clock,
    dir,
    plane,
    controller: (authority, cnameOk = false) => {
      const c = new CustomDomainController({
        store,
        config,
        clock,
        random: cryptoRandom,
        events: new ServiceEventRecorder(store, config, clock, cryptoRandom),
        logger: () => undefined,
        dataDir: dir,
        parts: { dataPlane, ...(authority ? { authority } : {}), checker: { checkCname: () => Promise.resolve(cnameOk ? { ok: true, found: ["x"] } : { ok: false, problem: "missing", message: "none", found: [] }), checkPointsAt: () => Promise.resolve(cnameOk ? { ok: true, found: ["127.0.0.1"] } : { ok: false, problem: "missing", message: "none", found: [] }) } },
        timers: new ManualTimers(),
      });
      cleanups.push(() => c.stop());
      return c;
    },
    doc: (domain) => store.resources.list<CustomDomainDoc>({ kind: "custom-domain" }).find((r) => r.name === domain)?.doc,
    bus: () => store.outbox.after(0).map((e) => e.event as unknown as Record<string, unknown>).filter((e) => e["detail-type"] === CUSTOM_DOMAIN_DETAIL_TYPE),
  };
}

function insert(r: Rig, domain: string, doc: Partial<CustomDomainDoc>): void {
  r.store.resources.insert({
    arn: `${SERVICE}/${domain}`,
    kind: "custom-domain",
    name: domain,
    parentArn: SERVICE,
    status: doc.Status ?? "",
    doc: { DomainName: domain, EnableWWWSubdomain: false, ...doc },
    createdAt: r.clock.now(),
  });
}

const certificateAt = (notBefore: number) => ({ Issuer: "CA", NotBefore: notBefore, NotAfter: notBefore + 90 * DAY, RenewAfter: notBefore + 60 * DAY, RenewalStatus: "OK" as const });

function authorityThat(outcome: () => "ok" | string, clock: ManualClock): CertificateAuthority {
  return {
    directoryUrl: "https://ca.test/dir",
    issue: (req) => {
      const o = outcome();
      if (o !== "ok") return Promise.reject(new Error(o));
      return Promise.resolve({ certificatePem: "CERT\n", privateKeyPem: "KEY\n", names: req.names, notBefore: new Date(clock.now()), notAfter: new Date(clock.now() + 90 * DAY), issuer: "CA" });
    },
  };
}

describe("custom domain controller", () => {
  it("waits, saying so, when no certificate authority is configured", async () => {
    const r = rig();
    insert(r, "example.com", { Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation, Progress: { since: r.clock.now() } });
    const c = r.controller();
    await c.runNow();
    assert.match(r.doc("example.com")?.StatusMessage ?? "", /No certificate authority is configured/);
    assert.equal(c.initialStatusMessage(), r.doc("example.com")?.StatusMessage);
  });

  it("gives up validation after the timeout: create_failed, records FAILED, an ERROR event", async () => {
    const r = rig();
    insert(r, "late.example.com", {
      Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation,
      CertificateValidationRecords: [{ Name: "_acme-challenge.late.example.com.", Type: "CNAME", Value: "x.", Status: "PENDING_VALIDATION", CheckResult: "no CNAME" }],
      Progress: { since: r.clock.now() },
    });
    r.clock.advance(DEFAULT_TIMINGS.validationTimeoutMs);
    await r.controller(authorityThat(() => "ok", r.clock)).runNow();
    const doc = r.doc("late.example.com");
    assert.equal(doc?.Status, "create_failed");
    assert.deepEqual(doc?.CertificateValidationRecords?.map((x) => x.Status), ["FAILED"]);
    assert.match(doc?.StatusMessage ?? "", /not validated within 72 hours/);
    assert.deepEqual(r.bus().map((e) => (e.detail as Record<string, unknown>).CurrentStatus), ["create_failed"]);
  });

  it("renews after RenewAfter; a failure is FAILING with the CA's words and an event, a later success OK again", async () => {
    const r = rig();
    const start = r.clock.now();
    insert(r, "shop.example.com", { Status: CUSTOM_DOMAIN_STATUS.active, Certificate: certificateAt(start), Progress: { since: start, challenges: { "shop.example.com": "dns-01" } } });
    new CertificateFiles(r.dir).write("shop.example.com", "OLD\n");
    let outcome = "urn:ietf:params:acme:error:serverInternal: down";
    const c = r.controller(authorityThat(() => outcome, r.clock));
    await c.runNow();
    assert.deepEqual(r.plane, ["put shop.example.com", "hosts 0123456789abcdef0123456789abcdef shop.example.com"], "at start the certificate and hosts are served again");
    assert.equal(r.doc("shop.example.com")?.Certificate?.RenewalStatus, "OK", "not due yet");

    r.clock.advance(60 * DAY);
    await c.runNow();
    const failing = r.doc("shop.example.com")?.Certificate;
    assert.equal(failing?.RenewalStatus, "FAILING");
    assert.match(failing?.RenewalMessage ?? "", /^Renewing the certificate of shop\.example\.com failed: .*serverInternal.* Retrying in 5 s; it expires on 2026-04-01T00:00:00Z\.$/);
    assert.equal(r.bus().at(-1)?.detail && (r.bus().at(-1)?.detail as Record<string, unknown>).Severity, "ERROR");

    await c.runNow();
    assert.equal(r.doc("shop.example.com")?.Progress?.failures, 1, "no retry before the back-off has passed");
    outcome = "ok";
    r.clock.advance(5_000);
    await c.runNow();
    const renewed = r.doc("shop.example.com")?.Certificate;
    assert.equal(renewed?.RenewalStatus, "OK");
    assert.equal(renewed?.NotBefore, r.clock.now());
    assert.equal(renewed?.RenewAfter, r.clock.now() + 60 * DAY);
    assert.equal(r.doc("shop.example.com")?.Progress?.failures, undefined);
    const file = new CertificateFiles(r.dir).path("shop.example.com");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(r.plane.at(-1), "put shop.example.com");
  });

  it("orders again an active association whose certificate file is gone, and drops files of associations that are gone", async () => {
    const r = rig();
    insert(r, "lost.example.com", { Status: CUSTOM_DOMAIN_STATUS.active, Certificate: certificateAt(r.clock.now()), Progress: { since: r.clock.now() } });
    const files = new CertificateFiles(r.dir);
    files.write("*.gone.example.com", "X\n");
    const c = r.controller(authorityThat(() => "ok", r.clock));
    await c.runNow();
    // The data plane names certificates by their domain, `*.` included (it spells its own file names).
    assert.ok(r.plane.includes("remove *.gone.example.com"), r.plane.join("; "));
    assert.equal(existsSync(files.path("*.gone.example.com")), false);
    // Its move back to binding_certificate is an event like any other status change.
    const lost = r.bus().map((e) => e["detail"] as Record<string, unknown>).find((d) => d["DomainName"] === "lost.example.com");
    assert.deepEqual([lost?.["PreviousStatus"], lost?.["CurrentStatus"], lost?.["Severity"]], ["active", "binding_certificate", "ERROR"]);
    await c.runNow();
    assert.equal(r.doc("lost.example.com")?.Status, "active");
    assert.ok(existsSync(files.path("lost.example.com")));
  });

  it("backs off refused orders across their pending <-> binding round trips, and clears the count on success", async () => {
    const r = rig();
    insert(r, "new.example.com", { Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation, Progress: { since: r.clock.now() } });
    let outcome = "urn:ietf:params:acme:error:rateLimited: slow down";
    const c = r.controller(authorityThat(() => outcome, r.clock), true);
    const waits: [number, string][] = [];
    for (let i = 0; i < 3; i++) {
      await c.runNow(); // the records check out: binding_certificate
      assert.equal(r.doc("new.example.com")?.Status, "binding_certificate");
      await c.runNow(); // the CA refuses
      const p = r.doc("new.example.com")?.Progress;
      waits.push([(p?.nextAttemptAt ?? 0) - r.clock.now(), r.doc("new.example.com")?.Status ?? ""]);
      r.clock.advance((p?.nextAttemptAt ?? 0) - r.clock.now());
    }
    assert.deepEqual(waits, [
      [5_000, "pending_certificate_dns_validation"],
      [10_000, "pending_certificate_dns_validation"],
      [20_000, "pending_certificate_dns_validation"],
    ]);
    assert.match(r.doc("new.example.com")?.StatusMessage ?? "", /^Getting the certificate failed: .*rateLimited.* Retrying in 20 s\.$/);
    outcome = "ok";
    await c.runNow();
    await c.runNow();
    assert.equal(r.doc("new.example.com")?.Status, "active");
    assert.equal(r.doc("new.example.com")?.Progress?.orderFailures, undefined);
  });

  it("routes only active associations, and their www. names", async () => {
    const r = rig();
    insert(r, "a.example.com", { Status: CUSTOM_DOMAIN_STATUS.active, EnableWWWSubdomain: true, Certificate: certificateAt(r.clock.now()) });
    insert(r, "b.example.com", { Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation });
    insert(r, "*.example.org", { Status: CUSTOM_DOMAIN_STATUS.active, Certificate: certificateAt(r.clock.now()) });
    new CertificateFiles(r.dir).write("a.example.com", "A\n");
    new CertificateFiles(r.dir).write("*.example.org", "W\n");
    await r.controller().runNow();
    assert.equal(r.plane.filter((p) => p.startsWith("hosts")).at(-1), `hosts 0123456789abcdef0123456789abcdef ${["*.example.org", ...certificateNames("a.example.com", true)].sort().join(",")}`);
  });
});
