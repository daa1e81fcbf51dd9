import { AssociateCustomDomainCommand, DescribeCustomDomainsCommand, DisassociateCustomDomainCommand, CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CertificateAuthority, CertificateRequest } from "../src/acme/types.js";
import type { ChallengeZone, DnsRecordChecker } from "../src/dns/types.js";
import { challengeTarget } from "../src/domain/custom-domains.js";
import type { CustomDomainDataPlane } from "../src/router/types.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

/*
 * The custom-domain controller in the real server on its real timer, driven through the SDK.
 * Its CA, challenge zone, record checker and data plane are in-test stand-ins until the real ones
 * (src/acme, src/dns, the router) are merged; the pebble e2e then drives the same path with them.
 */

const ZONE = "acme.us-east-1.openrunner.localhost";
const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

/** DNS as the user made it: validation CNAMEs by name -> target. */
const world = new Map<string, string>();
const checker: DnsRecordChecker = {
  checkCname: (name, target) =>
    Promise.resolve(
      world.get(name) === target
        ? { ok: true, found: [target] }
        : { ok: false, problem: world.has(name) ? "wrong" : "missing", message: world.has(name) ? `${name} is a CNAME to ${world.get(name) ?? ""}, not ${target}` : `${name} has no CNAME record`, found: [] },
    ),
  checkPointsAt: (name) => Promise.resolve({ ok: false, problem: "missing", message: `${name} has no record`, found: [] }),
};

const txt = new Map<string, string[]>();
const zone: ChallengeZone = {
  zone: ZONE,
  addTxt: (name, value) => void txt.set(name, [...(txt.get(name) ?? []), value]),
  removeTxt: (name, value) => void txt.set(name, (txt.get(name) ?? []).filter((v) => v !== value)),
  address: () => ({ host: "127.0.0.1", port: 0 }),
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

/** A CA that checks each name's DNS-01 proof in the zone, as a real one queries it. */
const orders: CertificateRequest[] = [];
let refuse: string | undefined;
const authority: CertificateAuthority = {
  directoryUrl: "https://ca.test/directory",
  async issue(request) {
    orders.push(request);
    if (refuse) throw new Error(refuse);
    for (const name of request.names) {
      const identifier = name.replace(/^\*\./, "");
      const challenge = { type: request.challengeFor(name), identifier, wildcard: name.startsWith("*."), token: `t-${identifier}`, keyAuthorization: `k-${identifier}`, dnsValue: `v-${identifier}` };
      await request.solvers[challenge.type].present(challenge);
      const seen = txt.get(challengeTarget(ZONE, `_acme-challenge.${identifier}`)) ?? [];
      await request.solvers[challenge.type].cleanup(challenge);
      if (!seen.includes(`v-${identifier}`)) throw new Error(`no TXT for ${identifier}`);
    }
    const now = Date.now();
    return { certificatePem: `CERT ${request.names.join(",")}\n`, privateKeyPem: "KEY\n", names: request.names, notBefore: new Date(now), notAfter: new Date(now + 90 * 86_400_000), issuer: "Test CA" };
  },
};

const plane: string[] = [];
const dataPlane: CustomDomainDataPlane = {
  setCustomDomainHosts: (serviceId, hosts) => Promise.resolve(void plane.push(`hosts ${serviceId} ${hosts.join(",")}`)),
  putCertificate: (id) => Promise.resolve(void plane.push(`put ${id}`)),
  removeCertificate: (id) => Promise.resolve(void plane.push(`remove ${id}`)),
  setHttpChallenge: () => Promise.resolve(),
  clearHttpChallenge: () => Promise.resolve(),
};

interface Doc {
  DomainName?: string;
  Status?: string;
  StatusMessage?: string;
  CertificateValidationRecords?: { Name?: string; Status?: string; CheckResult?: string }[];
  Certificate?: { Issuer: string; RenewalStatus: string };
}

describe("custom domain controller in the server, on its real timer", () => {
  let server: InProcessServer;
  let arn = "";
  let serviceId = "";
  before(async () => {
    server = await startInProcess({
      driver: new ScriptedRuntimeDriver(),
      customDomainParts: { authority, zone, checker, dataPlane },
      customDomains: { timings: { firstCheckMs: 50, maxCheckMs: 200, firstRetryMs: 50, maxRetryMs: 200 } },
    });
    const out = await server.client.send(new CreateServiceCommand({ ServiceName: "domains-app", SourceConfiguration: { ImageRepository: image } }));
    arn = out.Service?.ServiceArn ?? "";
    serviceId = out.Service?.ServiceId ?? "";
    await eventually(async () => ((await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status === "RUNNING" ? true : undefined));
  });
  after(async () => server.close());

  const row = (domain: string): Doc | undefined =>
    server.running.store.resources.list<Doc>({ kind: "custom-domain", parentArn: arn }).find((r) => r.name === domain)?.doc;
  const status = async (domain: string): Promise<string | undefined> =>
    (await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: arn }))).CustomDomains?.find((d) => d.DomainName === domain)?.Status;

  it("says which record is missing, validates once the CNAMEs exist, and serves the certificate", async () => {
    const out = await server.client.send(new AssociateCustomDomainCommand({ ServiceArn: arn, DomainName: "shop.example.com" }));
    assert.equal(out.CustomDomain?.Status, "pending_certificate_dns_validation");
    await eventually(async () => (row("shop.example.com")?.CertificateValidationRecords?.[0]?.CheckResult ? true : undefined));
    const waiting = row("shop.example.com");
    assert.match(waiting?.StatusMessage ?? "", /_acme-challenge\.shop\.example\.com has no CNAME record; create _acme-challenge\.shop\.example\.com CNAME [a-z2-7]{20}\.acme\./);
    assert.deepEqual(waiting?.CertificateValidationRecords?.map((r) => r.Status), ["PENDING_VALIDATION", "PENDING_VALIDATION"]);
    assert.ok(!plane.some((p) => p.includes("shop.example.com")), "a pending domain is not routed");

    for (const r of out.CustomDomain?.CertificateValidationRecords ?? []) world.set((r.Name ?? "").replace(/\.$/, ""), (r.Value ?? "").replace(/\.$/, ""));
    await eventually(async () => ((await status("shop.example.com")) === "active" ? true : undefined), 20_000);
    const active = row("shop.example.com");
    assert.equal(active?.Certificate?.Issuer, "Test CA");
    assert.equal(active?.Certificate?.RenewalStatus, "OK");
    assert.deepEqual(active?.CertificateValidationRecords?.map((r) => r.Status), ["SUCCESS", "SUCCESS"]);
    assert.deepEqual(orders.at(-1)?.names, ["shop.example.com", "www.shop.example.com"]);
    assert.ok(plane.includes("put shop.example.com"), plane.join("; "));
    await eventually(async () => (plane.includes(`hosts ${serviceId} shop.example.com,www.shop.example.com`) ? true : undefined));
    const bus = server.running.store.outbox.after(0).map((e) => e.event).filter((e) => e["detail-type"] === "AppRunner Custom Domain Association Status Change");
    const changes = bus.map((e) => [e.detail.DomainName, e.detail.PreviousStatus, e.detail.CurrentStatus]);
    for (const change of [
      ["shop.example.com", "pending_certificate_dns_validation", "pending_certificate_dns_validation"],
      ["shop.example.com", "pending_certificate_dns_validation", "binding_certificate"],
      ["shop.example.com", "binding_certificate", "active"],
    ]) {
      assert.ok(changes.some((c) => JSON.stringify(c) === JSON.stringify(change)), `EventBridge has ${change.join(" -> ")}: ${JSON.stringify(changes)}`);
    }
    // Findings are announced when they change, not on every check.
    assert.equal(changes.filter((c) => c[0] === "shop.example.com" && c[2] === "pending_certificate_dns_validation").length, 1);
    const file = join(server.running.dataDir, "certificates", "domains", "shop.example.com.pem");
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it("goes back to pending with the CA's words when an order fails, and retries", async () => {
    refuse = "urn:ietf:params:acme:error:rateLimited: too many certificates";
    world.set("_acme-challenge.api.example.com", challengeTarget(ZONE, "_acme-challenge.api.example.com"));
    await server.client.send(new AssociateCustomDomainCommand({ ServiceArn: arn, DomainName: "api.example.com", EnableWWWSubdomain: false }));
    await eventually(async () => (/Getting the certificate failed: .*rateLimited/.test(row("api.example.com")?.StatusMessage ?? "") ? true : undefined), 20_000);
    refuse = undefined;
    await eventually(async () => ((await status("api.example.com")) === "active" ? true : undefined), 20_000);
  });

  it("disassociates: the hosts, certificate and file leave the data plane, then the association is gone", async () => {
    await server.client.send(new DisassociateCustomDomainCommand({ ServiceArn: arn, DomainName: "shop.example.com" }));
    await eventually(async () => ((await status("shop.example.com")) === undefined ? true : undefined), 20_000);
    assert.ok(plane.includes("remove shop.example.com"), plane.join("; "));
    assert.equal(plane.filter((p) => p.startsWith(`hosts ${serviceId}`)).at(-1), `hosts ${serviceId} api.example.com`);
    assert.equal(existsSync(join(server.running.dataDir, "certificates", "domains", "shop.example.com.pem")), false);
  });
});
