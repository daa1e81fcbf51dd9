import {
  AssociateCustomDomainCommand,
  CreateServiceCommand,
  CreateVpcIngressConnectionCommand,
  DescribeCustomDomainsCommand,
  DescribeServiceCommand,
  DisassociateCustomDomainCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { challengeTarget } from "../src/domain/custom-domains.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };
// acme-dns style records (issue 19): `_acme-challenge.<name>` CNAME into OpenRunner's challenge zone,
// created once and kept for every renewal, instead of ACM's random per-request names.
const ZONE = "acme.us-east-1.openrunner.localhost";
const RECORD_NAME = (host: string): RegExp => new RegExp(`^_acme-challenge\\.${host.replace(/\./g, "\\.")}\\.$`);
const RECORD_VALUE = /^[a-z2-7]{20}\.acme\.us-east-1\.openrunner\.localhost\.$/;
const NO_CA = /^No certificate authority is configured: start OpenRunner with --acme-directory/;

async function waitFor(client: AppRunnerClient, arn: string, status: string): Promise<void> {
  await eventually(async () => {
    const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    return s === status ? s : undefined;
  });
}

async function runningService(client: AppRunnerClient, name: string): Promise<{ arn: string; url: string }> {
  const out = await client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: { ImageRepository: image } }));
  const arn = out.Service?.ServiceArn ?? "";
  await waitFor(client, arn, "RUNNING");
  return { arn, url: out.Service?.ServiceUrl ?? "" };
}

const associate = (client: AppRunnerClient, ServiceArn: string, DomainName: string, EnableWWWSubdomain?: boolean) =>
  client.send(new AssociateCustomDomainCommand({ ServiceArn, DomainName, EnableWWWSubdomain }));

const disassociate = (client: AppRunnerClient, ServiceArn: string, DomainName: string) =>
  client.send(new DisassociateCustomDomainCommand({ ServiceArn, DomainName }));

/** A disassociated domain is `deleting` until the controller has taken it out of the data plane, then gone. */
async function gone(client: AppRunnerClient, ServiceArn: string, DomainName: string): Promise<void> {
  await eventually(async () => {
    const described = await client.send(new DescribeCustomDomainsCommand({ ServiceArn }));
    return described.CustomDomains?.some((d) => d.DomainName === DomainName) ? undefined : true;
  });
}

describe("custom domains through @aws-sdk/client-apprunner", () => {
  let server: InProcessServer;
  let web = { arn: "", url: "" };
  let other = { arn: "", url: "" };
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), quotas: { customDomainsPerService: 3 } });
    web = await runningService(server.client, "web-app");
    other = await runningService(server.client, "other-app");
  });
  after(async () => server.close());

  it("associates a domain with www by default, with certificate validation records", async () => {
    const out = await associate(server.client, web.arn, "example.com");
    assert.equal(out.DNSTarget, web.url);
    assert.equal(out.ServiceArn, web.arn);
    assert.deepEqual(out.VpcDNSTargets, []);
    const d = out.CustomDomain;
    assert.equal(d?.DomainName, "example.com");
    assert.equal(d?.EnableWWWSubdomain, true);
    // App Runner sends this status in lower case (its model lists upper case); the records' stay upper case.
    assert.equal(d?.Status, "pending_certificate_dns_validation");
    const records = d?.CertificateValidationRecords ?? [];
    assert.equal(records.length, 2);
    assert.match(records[0]?.Name ?? "", RECORD_NAME("example.com"));
    assert.match(records[1]?.Name ?? "", RECORD_NAME("www.example.com"));
    for (const r of records) {
      assert.equal(r.Type, "CNAME");
      assert.equal(r.Status, "PENDING_VALIDATION");
      assert.match(r.Value ?? "", RECORD_VALUE);
      assert.equal(r.Value, `${challengeTarget(ZONE, (r.Name ?? "").replace(/\.$/, ""))}.`);
    }
    // This server has no certificate authority: the association says so instead of waiting silently
    // (StatusMessage is OpenRunner's extension, which the SDK does not model: read from the store).
    const row = server.running.store.resources.list<{ StatusMessage?: string }>({ kind: "custom-domain", parentArn: web.arn })[0];
    assert.match(row?.doc.StatusMessage ?? "", NO_CA);
    const described = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains, [d]);
    assert.equal(described.DNSTarget, web.url);
    await disassociate(server.client, web.arn, "example.com");
    await gone(server.client, web.arn, "example.com");
  });

  it("answers in App Runner's case for associations a data directory stored in the model's", async () => {
    await associate(server.client, web.arn, "legacy.example.com", false);
    // What earlier versions of OpenRunner wrote: the model's upper-case spelling.
    const { store } = server.running;
    const row = store.resources.list<Record<string, unknown>>({ kind: "custom-domain", parentArn: web.arn })[0];
    assert.ok(row);
    store.resources.update({ ...row, status: "PENDING_CERTIFICATE_DNS_VALIDATION", doc: { ...row.doc, Status: "PENDING_CERTIFICATE_DNS_VALIDATION" } });
    const described = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains?.map((d) => [d.DomainName, d.Status]), [["legacy.example.com", "pending_certificate_dns_validation"]]);
    assert.equal((await disassociate(server.client, web.arn, "legacy.example.com")).CustomDomain?.Status, "deleting");
    await gone(server.client, web.arn, "legacy.example.com");
  });

  it("associates without www, and a wildcard (which never takes www)", async () => {
    const plain = await associate(server.client, web.arn, "api.example.com", false);
    assert.equal(plain.CustomDomain?.EnableWWWSubdomain, false);
    assert.equal(plain.CustomDomain?.CertificateValidationRecords?.length, 1);

    const wild = await associate(server.client, web.arn, "*.example.org");
    assert.equal(wild.CustomDomain?.EnableWWWSubdomain, false);
    const records = wild.CustomDomain?.CertificateValidationRecords ?? [];
    assert.equal(records.length, 1);
    assert.match(records[0]?.Name ?? "", RECORD_NAME("example.org"), "the wildcard's record is on its base domain");
    assert.equal(records[0]?.Value, `${challengeTarget(ZONE, "_acme-challenge.example.org")}.`, "a domain and its wildcard share one target");
    // A more specific name beside a wildcard is allowed (developer guide: it overrides the wildcard).
    await associate(server.client, web.arn, "login.example.org", false);
    for (const name of ["api.example.com", "*.example.org", "login.example.org"]) await disassociate(server.client, web.arn, name);
    for (const name of ["api.example.com", "*.example.org", "login.example.org"]) await gone(server.client, web.arn, name);
  });

  it("rejects malformed names, misplaced wildcards and OpenRunner's own domain", async () => {
    const bad = ["a..example.com", "login*.example.com", "*.login.example.com", "-x.example.com", "localhost", "x.us-east-1.openrunner.localhost"];
    for (const name of bad) {
      await assert.rejects(associate(server.client, web.arn, name, false), { name: "InvalidRequestException" }, name);
    }
    await assert.rejects(associate(server.client, web.arn, "*.example.net", true), {
      name: "InvalidRequestException",
      message: /wildcard/,
    });
    const described = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains, []);
  });

  it("refuses a domain already associated here, through www, or with another service", async () => {
    await associate(server.client, web.arn, "shop.example.com");
    await assert.rejects(associate(server.client, web.arn, "shop.example.com"), {
      name: "InvalidRequestException",
      message: /already associated with service web-app/,
    });
    await assert.rejects(associate(server.client, web.arn, "www.shop.example.com", false), { name: "InvalidRequestException" });
    await assert.rejects(associate(server.client, other.arn, "Shop.Example.com", false), {
      name: "InvalidRequestException",
      message: /another service/,
    });
    // Names compare case-insensitively, as DNS does.
    const leaving = await disassociate(server.client, web.arn, "SHOP.example.com");
    assert.equal(leaving.CustomDomain?.Status, "deleting");
    assert.equal(leaving.CustomDomain?.DomainName, "shop.example.com");
    assert.equal(leaving.DNSTarget, web.url);
    // The name is free once the controller has removed the association (deleting -> gone).
    await gone(server.client, web.arn, "shop.example.com");
    await associate(server.client, other.arn, "shop.example.com");
    await disassociate(server.client, other.arn, "shop.example.com");
    await gone(server.client, other.arn, "shop.example.com");
  });

  it("limits domains per service with InvalidRequestException and pages DescribeCustomDomains", async () => {
    const names = ["one.example.io", "two.example.io", "three.example.io"];
    for (const n of names) await associate(server.client, web.arn, n, false);
    await assert.rejects(associate(server.client, web.arn, "four.example.io", false), {
      name: "InvalidRequestException",
      message: /maximum number of custom domains \(3\)/,
    });
    const p1 = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn, MaxResults: 2 }));
    assert.equal(p1.CustomDomains?.length, 2);
    assert.ok(p1.NextToken);
    const p2 = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn, MaxResults: 2, NextToken: p1.NextToken }));
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual([...(p1.CustomDomains ?? []), ...(p2.CustomDomains ?? [])].map((d) => d.DomainName), names);
    // Another service's quota is its own.
    await associate(server.client, other.arn, "four.example.io", false);
    for (const n of names) await disassociate(server.client, web.arn, n);
    await disassociate(server.client, other.arn, "four.example.io");
    for (const n of names) await gone(server.client, web.arn, n);
    await gone(server.client, other.arn, "four.example.io");
  });

  it("lists the service's VPC ingress domain as a VPC DNS target", async () => {
    const ingress = await server.client.send(
      new CreateVpcIngressConnectionCommand({
        ServiceArn: other.arn,
        VpcIngressConnectionName: "other-ingress",
        IngressVpcConfiguration: { VpcId: "vpc-1", VpcEndpointId: "vpce-1" },
      }),
    );
    const out = await associate(server.client, other.arn, "private.example.com", false);
    assert.deepEqual(out.VpcDNSTargets, [
      {
        VpcIngressConnectionArn: ingress.VpcIngressConnection?.VpcIngressConnectionArn,
        VpcId: "vpc-1",
        DomainName: ingress.VpcIngressConnection?.DomainName,
      },
    ]);
    await disassociate(server.client, other.arn, "private.example.com");
    await gone(server.client, other.arn, "private.example.com");
  });

  it("answers ResourceNotFoundException for domains and services that are not there", async () => {
    await assert.rejects(disassociate(server.client, web.arn, "never.example.com"), {
      name: "ResourceNotFoundException",
      message: /not associated/,
    });
    const missing = web.arn.replace(/[0-9a-f]{32}$/, "0".repeat(32));
    await assert.rejects(server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: missing })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(disassociate(server.client, missing, "example.com"), { name: "ResourceNotFoundException" });
    // The model gives AssociateCustomDomain no ResourceNotFoundException.
    await assert.rejects(associate(server.client, missing, "example.com"), { name: "InvalidRequestException" });
  });

  it("refuses association changes while the service is paused, and still describes", async () => {
    const { client } = server;
    await associate(client, web.arn, "paused.example.com", false);
    await client.send(new PauseServiceCommand({ ServiceArn: web.arn }));
    await waitFor(client, web.arn, "PAUSED");
    await assert.rejects(associate(client, web.arn, "new.example.com", false), {
      name: "InvalidStateException",
      message: /paused/,
    });
    await assert.rejects(disassociate(client, web.arn, "paused.example.com"), { name: "InvalidStateException" });
    const described = await client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains?.map((d) => d.DomainName), ["paused.example.com"]);
    await client.send(new ResumeServiceCommand({ ServiceArn: web.arn }));
    await waitFor(client, web.arn, "RUNNING");
    await disassociate(client, web.arn, "paused.example.com");
    await gone(client, web.arn, "paused.example.com");
  });
});

describe("disassociation: deleting until the data plane has let go, then gone", () => {
  let server: InProcessServer;
  let web = { arn: "", url: "" };
  // The data plane holds the controller at the first hosts change until the test lets it go.
  let release: () => void = () => undefined;
  const held = new Promise<void>((ok) => (release = ok));
  const calls: string[] = [];
  before(async () => {
    server = await startInProcess({
      driver: new ScriptedRuntimeDriver(),
      customDomainParts: {
        dataPlane: {
          setCustomDomainHosts: async (serviceId, hosts) => {
            calls.push(`hosts ${serviceId} ${hosts.join(",")}`);
            await held;
          },
          putCertificate: async (id) => void calls.push(`put ${id}`),
          removeCertificate: async (id) => void calls.push(`remove ${id}`),
          setHttpChallenge: async () => undefined,
          clearHttpChallenge: async () => undefined,
        },
      },
    });
    web = await runningService(server.client, "deleting-app");
  });
  after(async () => {
    release();
    await server.close();
  });

  it("keeps the association as deleting, holding its name, until the controller has removed it", async () => {
    const { client } = server;
    await associate(client, web.arn, "bye.example.com");
    const out = await disassociate(client, web.arn, "bye.example.com");
    assert.equal(out.CustomDomain?.Status, "deleting");
    // Terraform's delete waiter polls DescribeCustomDomains for deleting -> gone.
    const described = await client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains?.map((d) => [d.DomainName, d.Status]), [["bye.example.com", "deleting"]]);
    await assert.rejects(associate(client, web.arn, "bye.example.com"), { name: "InvalidRequestException", message: /being disassociated/ });
    await eventually(async () => (calls.some((c) => c.startsWith("hosts ")) ? true : undefined));
    release();
    await gone(client, web.arn, "bye.example.com");
    const serviceId = web.arn.split("/").pop() ?? "";
    assert.ok(calls.includes(`hosts ${serviceId} `), `the service's custom hosts were set without the domain: ${calls.join("; ")}`);
    // Its name is free again.
    await associate(client, web.arn, "bye.example.com");
  });
});
