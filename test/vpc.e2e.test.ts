import {
  CreateServiceCommand,
  CreateVpcConnectorCommand,
  CreateVpcIngressConnectionCommand,
  DeleteServiceCommand,
  DeleteVpcConnectorCommand,
  DeleteVpcIngressConnectionCommand,
  DescribeServiceCommand,
  DescribeVpcConnectorCommand,
  DescribeVpcIngressConnectionCommand,
  ListTagsForResourceCommand,
  ListVpcConnectorsCommand,
  ListVpcIngressConnectionsCommand,
  UpdateVpcIngressConnectionCommand,
  type AppRunnerClient,
  type CreateServiceCommandInput,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

async function createService(client: AppRunnerClient, name: string, extra: Partial<CreateServiceCommandInput> = {}): Promise<string> {
  const out = await client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: { ImageRepository: image }, ...extra }));
  const arn = out.Service?.ServiceArn ?? "";
  await eventually(async () => {
    const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    return s === "RUNNING" ? s : undefined;
  });
  return arn;
}

async function deleteService(client: AppRunnerClient, arn: string): Promise<void> {
  await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
  await eventually(async () => {
    const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    return s === "DELETED" ? s : undefined;
  });
}

async function connector(client: AppRunnerClient, name: string, subnets = ["subnet-0a1"], securityGroups?: string[]) {
  const out = await client.send(new CreateVpcConnectorCommand({ VpcConnectorName: name, Subnets: subnets, SecurityGroups: securityGroups }));
  assert.ok(out.VpcConnector?.VpcConnectorArn);
  return out.VpcConnector;
}

describe("VPC connectors", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), quotas: { vpcConnectors: 3 } });
  });
  after(async () => server.close());

  it("creates revisions by name, describes and deletes them", async () => {
    const { client } = server;
    const out = await client.send(
      new CreateVpcConnectorCommand({
        VpcConnectorName: "egress",
        Subnets: ["subnet-0a1", "subnet-0b2"],
        SecurityGroups: ["sg-01"],
        Tags: [{ Key: "env", Value: "test" }],
      }),
    );
    const r1 = out.VpcConnector;
    assert.match(r1?.VpcConnectorArn ?? "", /^arn:aws:apprunner:us-east-1:\d{12}:vpcconnector\/egress\/1\/[0-9a-f]{32}$/);
    assert.equal(r1?.VpcConnectorRevision, 1);
    assert.equal(r1?.Status, "ACTIVE");
    assert.deepEqual(r1?.Subnets, ["subnet-0a1", "subnet-0b2"]);
    assert.deepEqual(r1?.SecurityGroups, ["sg-01"]);
    assert.ok(r1?.CreatedAt instanceof Date);
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn: r1?.VpcConnectorArn }))).Tags, [
      { Key: "env", Value: "test" },
    ]);

    const r2 = await connector(client, "egress", ["subnet-0c3"]);
    assert.equal(r2?.VpcConnectorRevision, 2);
    assert.deepEqual(r2?.SecurityGroups, [], "security groups are optional");

    const described = await client.send(new DescribeVpcConnectorCommand({ VpcConnectorArn: r2?.VpcConnectorArn }));
    assert.deepEqual(described.VpcConnector, r2);

    const deleted = await client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: r1?.VpcConnectorArn }));
    assert.equal(deleted.VpcConnector?.Status, "INACTIVE");
    assert.ok(deleted.VpcConnector?.DeletedAt instanceof Date);
    const inactive = await client.send(new DescribeVpcConnectorCommand({ VpcConnectorArn: r1?.VpcConnectorArn }));
    assert.equal(inactive.VpcConnector?.Status, "INACTIVE", "a deleted revision can still be described");
    await assert.rejects(client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: r1?.VpcConnectorArn })), {
      name: "ResourceNotFoundException",
    });

    const r3 = await connector(client, "egress");
    assert.equal(r3?.VpcConnectorRevision, 3, "revision numbers are not reused after deletion");
    for (const c of [r2, r3]) await client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: c?.VpcConnectorArn }));
  });

  it("requires at least one subnet", async () => {
    await assert.rejects(server.client.send(new CreateVpcConnectorCommand({ VpcConnectorName: "no-subnets", Subnets: [] })), {
      name: "InvalidRequestException",
      message: /at least one subnet/,
    });
    await assert.rejects(connector(server.client, "blank-subnet", [""]), { name: "InvalidRequestException" });
  });

  it("enforces the quota over active connectors and lists them page by page", async () => {
    const { client } = server;
    const made = [await connector(client, "quota-a"), await connector(client, "quota-b"), await connector(client, "quota-a")];
    await assert.rejects(connector(client, "quota-c"), { name: "ServiceQuotaExceededException" });

    const p1 = await client.send(new ListVpcConnectorsCommand({ MaxResults: 2 }));
    assert.equal(p1.VpcConnectors?.length, 2);
    assert.ok(p1.NextToken);
    const p2 = await client.send(new ListVpcConnectorsCommand({ MaxResults: 2, NextToken: p1.NextToken }));
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual(
      [...(p1.VpcConnectors ?? []), ...(p2.VpcConnectors ?? [])].map((c) => `${c.VpcConnectorName}:${c.VpcConnectorRevision}`),
      ["quota-a:1", "quota-b:1", "quota-a:2"],
    );

    await client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: made[1]?.VpcConnectorArn }));
    made[1] = await connector(client, "quota-c");
    for (const c of made) await client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: c?.VpcConnectorArn }));
    assert.deepEqual((await client.send(new ListVpcConnectorsCommand({}))).VpcConnectors, []);
  });

  it("refuses to delete a connector a live service egresses through", async () => {
    const { client } = server;
    const c = await connector(client, "used");
    const svc = await createService(client, "vpc-egress", {
      NetworkConfiguration: { EgressConfiguration: { EgressType: "VPC", VpcConnectorArn: c?.VpcConnectorArn } },
    });
    await assert.rejects(client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: c?.VpcConnectorArn })), {
      name: "InvalidRequestException",
      message: /in use by services: vpc-egress/,
    });
    await deleteService(client, svc);
    const deleted = await client.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: c?.VpcConnectorArn }));
    assert.equal(deleted.VpcConnector?.Status, "INACTIVE");
  });

  it("answers ResourceNotFoundException for an unknown connector", async () => {
    const arn = `arn:aws:apprunner:us-east-1:${server.running.config.accountId}:vpcconnector/nope/1/${"0".repeat(32)}`;
    await assert.rejects(server.client.send(new DescribeVpcConnectorCommand({ VpcConnectorArn: arn })), {
      name: "ResourceNotFoundException",
    });
  });
});

describe("VPC ingress connections", () => {
  let server: InProcessServer;
  let serviceA = "";
  let serviceB = "";
  const vpc = { VpcId: "vpc-0123", VpcEndpointId: "vpce-0456" };
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    serviceA = await createService(server.client, "private-a");
    serviceB = await createService(server.client, "private-b");
  });
  after(async () => server.close());

  it("creates an AVAILABLE connection with its own domain, updates, lists and deletes it", async () => {
    const { client } = server;
    const out = await client.send(
      new CreateVpcIngressConnectionCommand({
        ServiceArn: serviceA,
        VpcIngressConnectionName: "ingress-a",
        IngressVpcConfiguration: vpc,
        Tags: [{ Key: "k", Value: "v" }],
      }),
    );
    const c = out.VpcIngressConnection;
    const arn = c?.VpcIngressConnectionArn ?? "";
    assert.match(arn, /^arn:aws:apprunner:us-east-1:\d{12}:vpcingressconnection\/ingress-a\/[0-9a-f]{32}$/);
    assert.equal(c?.Status, "AVAILABLE");
    assert.equal(c?.ServiceArn, serviceA);
    assert.equal(c?.AccountId, server.running.config.accountId);
    assert.match(c?.DomainName ?? "", /^[a-z0-9]{10}\.us-east-1\.openrunner\.localhost$/);
    assert.deepEqual(c?.IngressVpcConfiguration, vpc);
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: "k", Value: "v" }]);

    const updated = await client.send(
      new UpdateVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn, IngressVpcConfiguration: { VpcEndpointId: "vpce-0789" } }),
    );
    assert.deepEqual(updated.VpcIngressConnection?.IngressVpcConfiguration, { VpcId: "vpc-0123", VpcEndpointId: "vpce-0789" });
    assert.equal(updated.VpcIngressConnection?.DomainName, c?.DomainName);
    const described = await client.send(new DescribeVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn }));
    assert.deepEqual(described.VpcIngressConnection, updated.VpcIngressConnection);

    const byEndpoint = await client.send(new ListVpcIngressConnectionsCommand({ Filter: { VpcEndpointId: "vpce-0789" } }));
    assert.deepEqual(byEndpoint.VpcIngressConnectionSummaryList, [{ VpcIngressConnectionArn: arn, ServiceArn: serviceA }]);
    const stale = await client.send(new ListVpcIngressConnectionsCommand({ Filter: { VpcEndpointId: "vpce-0456" } }));
    assert.deepEqual(stale.VpcIngressConnectionSummaryList, []);

    const deleted = await client.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn }));
    assert.equal(deleted.VpcIngressConnection?.Status, "DELETED");
    assert.ok(deleted.VpcIngressConnection?.DeletedAt instanceof Date);
    const after = await client.send(new DescribeVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn }));
    assert.equal(after.VpcIngressConnection?.Status, "DELETED");
    // A deleted connection is in no state to change (API reference: the states update and delete accept).
    await assert.rejects(
      client.send(new UpdateVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn, IngressVpcConfiguration: vpc })),
      { name: "InvalidStateException" },
    );
    await assert.rejects(client.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: arn })), {
      name: "InvalidStateException",
    });
  });

  it("allows one connection per service, unique names, and filters by service with paging", async () => {
    const { client } = server;
    const a = await client.send(
      new CreateVpcIngressConnectionCommand({ ServiceArn: serviceA, VpcIngressConnectionName: "one-a", IngressVpcConfiguration: vpc }),
    );
    await assert.rejects(
      client.send(
        new CreateVpcIngressConnectionCommand({ ServiceArn: serviceA, VpcIngressConnectionName: "two-a", IngressVpcConfiguration: vpc }),
      ),
      { name: "ServiceQuotaExceededException" },
    );
    await assert.rejects(
      client.send(
        new CreateVpcIngressConnectionCommand({ ServiceArn: serviceB, VpcIngressConnectionName: "one-a", IngressVpcConfiguration: vpc }),
      ),
      { name: "InvalidRequestException", message: /already exists: one-a/ },
    );
    const b = await client.send(
      new CreateVpcIngressConnectionCommand({ ServiceArn: serviceB, VpcIngressConnectionName: "one-b", IngressVpcConfiguration: vpc }),
    );

    const forB = await client.send(new ListVpcIngressConnectionsCommand({ Filter: { ServiceArn: serviceB } }));
    assert.deepEqual(forB.VpcIngressConnectionSummaryList?.map((s) => s.VpcIngressConnectionArn), [
      b.VpcIngressConnection?.VpcIngressConnectionArn,
    ]);
    const p1 = await client.send(new ListVpcIngressConnectionsCommand({ MaxResults: 1 }));
    assert.ok(p1.NextToken);
    const p2 = await client.send(new ListVpcIngressConnectionsCommand({ MaxResults: 1, NextToken: p1.NextToken }));
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual(
      [...(p1.VpcIngressConnectionSummaryList ?? []), ...(p2.VpcIngressConnectionSummaryList ?? [])].map((s) => s.ServiceArn),
      [serviceA, serviceB],
    );
    for (const c of [a, b]) {
      await client.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: c.VpcIngressConnection?.VpcIngressConnectionArn }));
    }
  });

  it("validates the service and the VPC configuration", async () => {
    const { client } = server;
    const missing = serviceA.replace(/[0-9a-f]{32}$/, "0".repeat(32));
    await assert.rejects(
      client.send(new CreateVpcIngressConnectionCommand({ ServiceArn: missing, VpcIngressConnectionName: "nope", IngressVpcConfiguration: vpc })),
      { name: "InvalidRequestException", message: /Service not found/ },
    );
    await assert.rejects(
      client.send(
        new CreateVpcIngressConnectionCommand({
          ServiceArn: serviceA,
          VpcIngressConnectionName: "half",
          IngressVpcConfiguration: { VpcId: "vpc-1" },
        }),
      ),
      { name: "InvalidRequestException", message: /VpcEndpointId/ },
    );
    const unknown = `arn:aws:apprunner:us-east-1:${server.running.config.accountId}:vpcingressconnection/x/${"0".repeat(32)}`;
    await assert.rejects(client.send(new DescribeVpcIngressConnectionCommand({ VpcIngressConnectionArn: unknown })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(
      client.send(new UpdateVpcIngressConnectionCommand({ VpcIngressConnectionArn: unknown, IngressVpcConfiguration: vpc })),
      { name: "ResourceNotFoundException" },
    );
    await assert.rejects(client.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: unknown })), {
      name: "ResourceNotFoundException",
    });
  });
});
