/**
 * Custom domains with real certificates, end to end: the real server with the local runtime
 * (runc instances behind HAProxy), its challenge zone on a loopback port, and Debian's pebble as
 * the ACME CA. pebble-challtestsrv plays the internet's DNS where users create their records,
 * and unbound is the recursive resolver pebble and OpenRunner both ask: it follows a user's
 * `_acme-challenge` CNAME into OpenRunner's zone as resolvers on the internet do.
 *
 * A domain and its www by DNS-01 through the CNAME, served by the router (checked with a TLS
 * client trusting only pebble's root) and routed to the service; a wrong record reported in
 * words; HTTP-01 for a domain that already points at the data plane; a wildcard; a renewal
 * forced by pebble's short-lived certificates; a disassociation that stops serving the domain.
 */
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import {
  AssociateCustomDomainCommand,
  CreateServiceCommand,
  DescribeCustomDomainsCommand,
  DisassociateCustomDomainCommand,
  type CertificateValidationRecord,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EVENTS_STREAM, serviceLogGroup } from "../src/telemetry/log-groups.js";
import { pushHelloApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { freeDnsPort, PEBBLE_SKIP, startPebble, type PebbleRig } from "./support/pebble.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { randomAddressBlock, waitForStatus } from "./support/runtime-fixture.js";
import { awsProviderBlocks, findTerraform, initWorkspace } from "./support/terraform.js";
import { servedCertificate, type ServedCertificate } from "./support/tls-probe.js";

const ZONE = "acme.openrunner.test";
const terraform = findTerraform();

/** The status the data plane answers for a host over HTTPS, whichever certificate it serves. */
function statusIgnoringCertificate(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, servername: host, headers: { host }, rejectUnauthorized: false, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`request to ${host} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
/** pebble's certificates live this long: the renewal test sees one renewed at RENEW_AT of it. */
const CERTIFICATE_SECONDS = 30;
/**
 * Renewed a third of the way into a certificate's life, not at the default 2/3 (schedule.ts, its
 * unit tests): the renewal test waits ~10 s less, and a renewal still has 20 s before expiry.
 */
const RENEW_AT = 1 / 3;

interface DomainDoc {
  DomainName?: string;
  Status?: string;
  StatusMessage?: string;
  CertificateValidationRecords?: (CertificateValidationRecord & { CheckResult?: string })[];
  Certificate?: { Issuer: string; NotAfter: number; RenewalStatus: string };
}

describe("custom domains with certificates from an ACME CA (pebble)", { skip: PEBBLE_SKIP, timeout: 6 * 60_000 }, () => {
  let rig: PebbleRig;
  let server: InProcessServer;
  let registry: TestRegistry;
  let httpsPort = 0;
  let httpPort = 0;
  let roots = "";
  let serviceArn = "";
  let serviceName = "";
  let serviceId = "";
  let serviceUrl = "";
  /** shop.example.test's first certificate, as described and as served: the renewal test's baseline. */
  let firstShop: { before: DomainDoc; first: ServedCertificate } | undefined;

  before(async () => {
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    const zonePort = await freeDnsPort();
    rig = await startPebble({ httpPort, certificateValidityPeriod: CERTIFICATE_SECONDS, stubZones: [{ zone: ZONE, address: "127.0.0.1", port: zonePort }] });
    // Names answer nothing unless a test says so: a domain points at the data plane only when it is made to.
    await rig.dns.setDefaultIpv4("");
    roots = await rig.roots();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort } },
      customDomains: {
        acme: { directoryUrl: rig.directoryUrl, caCertificatesFile: rig.caFile, email: "ops@example.test" },
        challengeZone: { zone: ZONE, listen: `127.0.0.1:${zonePort}` },
        resolvers: [rig.resolverAddress],
        dataPlaneAddresses: ["127.0.0.1"],
        timings: { firstCheckMs: 200, maxCheckMs: 1000, firstRetryMs: 500, maxRetryMs: 2000, renewAtFraction: RENEW_AT },
      },
    });
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "v1", "hello-from-the-service");
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "shop",
        SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } }, AutoDeploymentsEnabled: false },
      }),
    );
    serviceArn = out.Service?.ServiceArn ?? "";
    serviceName = out.Service?.ServiceName ?? "";
    serviceId = out.Service?.ServiceId ?? "";
    serviceUrl = (await waitForStatus(server.client, serviceArn, "RUNNING", 90_000)).ServiceUrl ?? "";
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
    await rig?.stop();
  });

  /** The association as the API sends it, extension members included (the SDK drops them). */
  async function described(domain: string): Promise<DomainDoc | undefined> {
    const rows = server.running.store.resources.list<DomainDoc>({ kind: "custom-domain", parentArn: serviceArn });
    const sdk = (await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: serviceArn, MaxResults: 5 }))).CustomDomains ?? [];
    const status = sdk.find((d) => d.DomainName === domain)?.Status;
    const doc = rows.find((r) => r.name === domain)?.doc;
    return doc ? { ...doc, ...(status ? { Status: status } : {}) } : undefined;
  }

  async function until(domain: string, status: string, timeoutMs = 60_000): Promise<DomainDoc> {
    let last: DomainDoc | undefined;
    try {
      return await eventually(async () => {
        last = await described(domain);
        if (last?.Status === "create_failed") throw new Error(`${domain} failed: ${last.StatusMessage ?? ""}`);
        return last?.Status === status ? last : undefined;
      }, timeoutMs, 200);
    } catch (err) {
      throw new Error(`${domain} did not become ${status}; last seen: ${JSON.stringify(last)}`, { cause: err });
    }
  }

  async function associate(domain: string, www: boolean): Promise<(CertificateValidationRecord & { Name: string; Value: string })[]> {
    const out = await server.client.send(new AssociateCustomDomainCommand({ ServiceArn: serviceArn, DomainName: domain, EnableWWWSubdomain: www }));
    assert.equal(out.CustomDomain?.Status, "pending_certificate_dns_validation");
    assert.equal(out.DNSTarget, serviceUrl);
    return (out.CustomDomain?.CertificateValidationRecords ?? []).map((r) => ({ ...r, Name: r.Name ?? "", Value: r.Value ?? "" }));
  }

  /** What a user does with the records: each one created in their DNS as shown. */
  async function createRecords(records: readonly { Name: string; Value: string }[]): Promise<void> {
    for (const r of records) await rig.dns.setCname(r.Name, r.Value);
  }

  const https = (host: string, path = "/") => viaRouter({ port: httpsPort, host, path, https: { ca: roots } });

  it("validates a domain and its www by DNS-01 through the CNAME into OpenRunner's zone, then serves and routes them", async () => {
    const records = await associate("shop.example.test", true);
    assert.deepEqual(
      records.map((r) => [r.Name, r.Type, r.Status]),
      [
        ["_acme-challenge.shop.example.test.", "CNAME", "PENDING_VALIDATION"],
        ["_acme-challenge.www.shop.example.test.", "CNAME", "PENDING_VALIDATION"],
      ],
    );
    for (const r of records) assert.ok(r.Value.endsWith(`.${ZONE}.`), `${r.Value} is in OpenRunner's zone`);

    // Before the records exist, the association waits and says what to create.
    const waiting = await eventually(async () => {
      const d = await described("shop.example.test");
      return d?.CertificateValidationRecords?.every((r) => r.CheckResult) ? d : undefined;
    });
    assert.equal(waiting.Status, "pending_certificate_dns_validation");
    assert.match(waiting.CertificateValidationRecords?.[0]?.CheckResult ?? "", /_acme-challenge\.shop\.example\.test has no CNAME record/);

    await createRecords(records);
    const active = await until("shop.example.test", "active");
    assert.deepEqual(active.CertificateValidationRecords?.map((r) => r.Status), ["SUCCESS", "SUCCESS"]);
    assert.match(active.Certificate?.Issuer ?? "", /Pebble/);

    for (const name of ["shop.example.test", "www.shop.example.test"]) {
      const served = await eventually(async () => {
        const c = await servedCertificate({ port: httpsPort, servername: name, ca: roots });
        return c.trusted ? c : undefined;
      }, 20_000);
      assert.match(served.subjectAltName, new RegExp(`DNS:${name.replace(/\./g, "\\.")}(,|$)`));
      assert.equal((await https(name)).body.trim(), "hello-from-the-service");
      if (name === "shop.example.test") firstShop = { before: active, first: served };
    }
    // The ServiceUrl keeps the router's own certificate, which pebble's root does not vouch for.
    assert.equal((await servedCertificate({ port: httpsPort, servername: serviceUrl, ca: roots })).trusted, false);
    // Plain HTTP on the custom domain redirects to HTTPS, as for the ServiceUrl.
    const plain = await viaRouter({ port: httpPort, host: "shop.example.test" });
    assert.equal(plain.status, 301);
    assert.match(String(plain.headers.location), new RegExp(`^https://shop\\.example\\.test:${httpsPort}/`));

    // The service's event log and EventBridge said so.
    const logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey });
    const events = await eventually(async () => {
      const lines = (await logs.send(new GetLogEventsCommand({ logGroupName: serviceLogGroup(serviceName, serviceId), logStreamName: EVENTS_STREAM }))).events ?? [];
      return lines.some((e) => /shop\.example\.test/.test(e.message ?? "") && /active/i.test(e.message ?? "")) ? lines : undefined;
    });
    assert.ok(events.length > 0);
  });

  it("reports a wrong validation record in words, and validates once it is corrected", async () => {
    const records = await associate("wrong.example.test", false);
    const record = records[0];
    assert.ok(record);
    await rig.dns.setCname(record.Name, `somewhere-else.${ZONE}.`);
    const reported = await eventually(async () => {
      const d = await described("wrong.example.test");
      return /not to/.test(d?.CertificateValidationRecords?.[0]?.CheckResult ?? "") ? d : undefined;
    });
    assert.equal(reported.Status, "pending_certificate_dns_validation");
    assert.match(reported.CertificateValidationRecords?.[0]?.CheckResult ?? "", new RegExp(`somewhere-else\\.${ZONE.replace(/\./g, "\\.")}`));
    assert.match(reported.CertificateValidationRecords?.[0]?.CheckResult ?? "", new RegExp(record.Value.replace(/\.$/, "").replace(/\./g, "\\.")));
    await rig.dns.setCname(record.Name, record.Value);
    await until("wrong.example.test", "active");
  });

  it("validates by HTTP-01 a domain that already points at the data plane, with no validation record", async () => {
    await associate("direct.example.test", false);
    await rig.dns.addA("direct.example.test", ["127.0.0.1"]);
    await until("direct.example.test", "active");
    const served = await servedCertificate({ port: httpsPort, servername: "direct.example.test", ca: roots });
    assert.ok(served.trusted, served.error);
    assert.equal((await https("direct.example.test")).body.trim(), "hello-from-the-service");
  });

  it("validates a wildcard by DNS-01 and serves every immediate subdomain", async () => {
    const records = await associate("*.wild.test", false);
    assert.deepEqual(records.map((r) => r.Name), ["_acme-challenge.wild.test."]);
    await createRecords(records);
    await until("*.wild.test", "active");
    for (const name of ["a.wild.test", "b.wild.test"]) {
      const served = await eventually(async () => {
        const c = await servedCertificate({ port: httpsPort, servername: name, ca: roots });
        return c.trusted ? c : undefined;
      }, 20_000);
      assert.match(served.subjectAltName, /DNS:\*\.wild\.test/);
      assert.equal((await https(name)).body.trim(), "hello-from-the-service");
    }
  });

  it("Terraform's aws_apprunner_custom_domain_association creates it, it reaches active once the records exist, and destroy removes it", { skip: typeof terraform === "string" ? terraform : false }, async () => {
    if (typeof terraform === "string") return;
    const hcl = `${awsProviderBlocks(terraform.providerVersion)}
resource "aws_apprunner_custom_domain_association" "shop" {
  domain_name          = "tf.example.test"
  service_arn          = "${serviceArn}"
  enable_www_subdomain = false
}
`;
    const tf = await initWorkspace(terraform, "openrunner-tf-domains-", server.running.rootKey, hcl, { url: server.running.endpoint, services: ["apprunner"] });
    try {
      await tf.apply();
      const state = tf.state().get("aws_apprunner_custom_domain_association.shop")?.values;
      assert.equal(state?.status, "pending_certificate_dns_validation");
      assert.equal(state?.dns_target, serviceUrl);
      const records = (state?.certificate_validation_records as { name: string; value: string }[] | undefined) ?? [];
      assert.deepEqual(records.map((r) => r.name), ["_acme-challenge.tf.example.test."]);
      // The user creates the records Terraform output, as its docs show (for example with a DNS provider's resource).
      await createRecords(records.map((r) => ({ Name: r.name, Value: r.value })));
      await until("tf.example.test", "active");
      const served = await eventually(async () => {
        const c = await servedCertificate({ port: httpsPort, servername: "tf.example.test", ca: roots });
        return c.trusted ? c : undefined;
      }, 20_000);
      assert.match(served.subjectAltName, /DNS:tf\.example\.test/);
      const plan = await tf.plan();
      assert.equal(plan.changes, false, plan.output);
      await tf.ok(["apply", "-refresh-only", "-no-color", "-auto-approve", "-input=false"]);
      assert.equal(tf.state().get("aws_apprunner_custom_domain_association.shop")?.values.status, "active");
      await tf.ok(["destroy", "-no-color", "-auto-approve", "-input=false"]);
      assert.equal(await described("tf.example.test"), undefined, "gone once destroy returns (its waiter saw deleting, then nothing)");
      assert.equal((await servedCertificate({ port: httpsPort, servername: "tf.example.test", ca: roots })).trusted, false);
    } finally {
      await tf.discard();
    }
  });

  it("stops serving a domain once it is disassociated", async () => {
    const out = await server.client.send(new DisassociateCustomDomainCommand({ ServiceArn: serviceArn, DomainName: "direct.example.test" }));
    assert.equal(out.CustomDomain?.Status, "deleting");
    await eventually(async () => ((await described("direct.example.test")) === undefined ? true : undefined), 30_000);
    const served = await servedCertificate({ port: httpsPort, servername: "direct.example.test", ca: roots });
    assert.equal(served.trusted, false, "the router's own certificate again, not pebble's");
    assert.equal(await statusIgnoringCertificate(httpsPort, "direct.example.test"), 404);
  });

  // Last: the certificate the first test saw renews on its own clock (at 2/3 of its life) while
  // the tests before this one run, so this one waits for a renewal only as long as still needed.
  it("renews a certificate before it expires and serves the new one without a restart", async () => {
    assert.ok(firstShop, "the first test saw shop.example.test's first certificate");
    const { before, first } = firstShop;
    const renewed = await eventually(async () => {
      const d = await described("shop.example.test");
      return d?.Certificate && before?.Certificate && d.Certificate.NotAfter > before.Certificate.NotAfter ? d : undefined;
    }, CERTIFICATE_SECONDS * 1000 * 2, 500);
    assert.equal(renewed.Status, "active");
    assert.equal(renewed.Certificate?.RenewalStatus, "OK");
    const served = await eventually(async () => {
      const c = await servedCertificate({ port: httpsPort, servername: "shop.example.test", ca: roots });
      return c.trusted && c.serialNumber !== first.serialNumber ? c : undefined;
    }, 20_000);
    assert.ok(served.trusted);
  });
});
