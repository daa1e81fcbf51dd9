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
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };
const RECORD_NAME = (host: string): RegExp => new RegExp(`^_[0-9a-f]{32}\\.${host.replace(/\./g, "\\.")}\\.$`);
const RECORD_VALUE = /^_[0-9a-f]{32}\.[0-9a-f]{10}\.acm-validations\.openrunner\.localhost\.$/;

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
    }
    const described = await server.client.send(new DescribeCustomDomainsCommand({ ServiceArn: web.arn }));
    assert.deepEqual(described.CustomDomains, [d]);
    assert.equal(described.DNSTarget, web.url);
    await disassociate(server.client, web.arn, "example.com");
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
    // A more specific name beside a wildcard is allowed (developer guide: it overrides the wildcard).
    await associate(server.client, web.arn, "login.example.org", false);
    for (const name of ["api.example.com", "*.example.org", "login.example.org"]) await disassociate(server.client, web.arn, name);
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
    const gone = await disassociate(server.client, web.arn, "SHOP.example.com");
    assert.equal(gone.CustomDomain?.Status, "deleting");
    assert.equal(gone.CustomDomain?.DomainName, "shop.example.com");
    assert.equal(gone.DNSTarget, web.url);
    await associate(server.client, other.arn, "shop.example.com");
    await disassociate(server.client, other.arn, "shop.example.com");
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
  });
});
