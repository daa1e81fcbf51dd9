import {
  CreateConnectionCommand,
  CreateServiceCommand,
  DeleteConnectionCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListConnectionsCommand,
  ListTagsForResourceCommand,
  type AppRunnerClient,
  type ProviderType,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

async function createConnection(client: AppRunnerClient, name: string, provider: ProviderType = "GITHUB") {
  const out = await client.send(new CreateConnectionCommand({ ConnectionName: name, ProviderType: provider }));
  assert.ok(out.Connection?.ConnectionArn);
  return out.Connection;
}

describe("connections through @aws-sdk/client-apprunner", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), quotas: { connections: 4 } });
  });
  after(async () => server.close());

  it("creates a connection waiting for its handshake, with tags", async () => {
    const { client } = server;
    const out = await client.send(
      new CreateConnectionCommand({ ConnectionName: "my-github", ProviderType: "GITHUB", Tags: [{ Key: "team", Value: "web" }] }),
    );
    const c = out.Connection;
    assert.match(c?.ConnectionArn ?? "", /^arn:aws:apprunner:us-east-1:\d{12}:connection\/my-github\/[0-9a-f]{32}$/);
    assert.equal(c?.ConnectionName, "my-github");
    assert.equal(c?.ProviderType, "GITHUB");
    assert.equal(c?.Status, "PENDING_HANDSHAKE");
    assert.ok(c?.CreatedAt instanceof Date);
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceArn: c?.ConnectionArn }));
    assert.deepEqual(tags.Tags, [{ Key: "team", Value: "web" }]);
    await client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn }));
  });

  it("refuses a second live connection with the same name, and allows it again after deletion", async () => {
    const { client } = server;
    const first = await createConnection(client, "dup-name", "BITBUCKET");
    await assert.rejects(createConnection(client, "dup-name"), {
      name: "InvalidRequestException",
      message: /already exists: dup-name/,
    });
    const deleted = await client.send(new DeleteConnectionCommand({ ConnectionArn: first?.ConnectionArn }));
    assert.equal(deleted.Connection?.Status, "DELETED");
    assert.equal(deleted.Connection?.ProviderType, "BITBUCKET");
    const again = await createConnection(client, "dup-name");
    assert.notEqual(again?.ConnectionArn, first?.ConnectionArn);
    await client.send(new DeleteConnectionCommand({ ConnectionArn: again?.ConnectionArn }));
  });

  it("enforces the connections quota over live connections only", async () => {
    const { client } = server;
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await createConnection(client, `quota-${i}`));
    await assert.rejects(createConnection(client, "quota-4"), { name: "ServiceQuotaExceededException" });
    await client.send(new DeleteConnectionCommand({ ConnectionArn: made[0]?.ConnectionArn }));
    made[0] = await createConnection(client, "quota-4");
    for (const c of made) await client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn }));
  });

  it("lists by name and pages with NextToken", async () => {
    const { client } = server;
    const arns = [];
    for (const n of ["page-a", "page-b", "page-c"]) arns.push((await createConnection(client, n))?.ConnectionArn);
    const byName = await client.send(new ListConnectionsCommand({ ConnectionName: "page-b" }));
    assert.deepEqual(
      byName.ConnectionSummaryList?.map((c) => [c.ConnectionName, c.Status, c.ProviderType]),
      [["page-b", "PENDING_HANDSHAKE", "GITHUB"]],
    );
    assert.equal(byName.NextToken, undefined);

    const p1 = await client.send(new ListConnectionsCommand({ MaxResults: 2 }));
    assert.equal(p1.ConnectionSummaryList?.length, 2);
    assert.ok(p1.NextToken);
    const p2 = await client.send(new ListConnectionsCommand({ MaxResults: 2, NextToken: p1.NextToken }));
    assert.equal(p2.NextToken, undefined);
    const seen = [...(p1.ConnectionSummaryList ?? []), ...(p2.ConnectionSummaryList ?? [])].map((c) => c.ConnectionArn);
    assert.deepEqual(seen, arns);

    await assert.rejects(client.send(new ListConnectionsCommand({ NextToken: "not-ours" })), { name: "InvalidRequestException" });
    for (const arn of arns) await client.send(new DeleteConnectionCommand({ ConnectionArn: arn }));
    const after = await client.send(new ListConnectionsCommand({}));
    assert.deepEqual(after.ConnectionSummaryList, [], "deleted connections are not listed");
  });

  it("answers ResourceNotFoundException for unknown and already deleted connections", async () => {
    const { client } = server;
    const c = await createConnection(client, "gone-soon");
    await client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn }));
    await assert.rejects(client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn })), {
      name: "ResourceNotFoundException",
    });
    const unknown = (c?.ConnectionArn ?? "").replace(/[0-9a-f]{32}$/, "0".repeat(32));
    await assert.rejects(client.send(new DeleteConnectionCommand({ ConnectionArn: unknown })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(client.send(new ListTagsForResourceCommand({ ResourceArn: c?.ConnectionArn })), {
      name: "ResourceNotFoundException",
    });
  });

  it("refuses to delete a connection a live service uses, and allows it once the service is deleted", async () => {
    const { client } = server;
    const c = await createConnection(client, "in-use");
    const svc = await client.send(
      new CreateServiceCommand({
        ServiceName: "uses-connection",
        SourceConfiguration: {
          CodeRepository: {
            RepositoryUrl: "https://github.com/example/app",
            SourceCodeVersion: { Type: "BRANCH", Value: "main" },
            CodeConfiguration: { ConfigurationSource: "REPOSITORY" },
          },
          AuthenticationConfiguration: { ConnectionArn: c?.ConnectionArn },
        },
      }),
    );
    const serviceArn = svc.Service?.ServiceArn ?? "";
    await assert.rejects(client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn })), {
      name: "InvalidRequestException",
      message: /in use by services: uses-connection/,
    });
    await eventually(async () => {
      const s = (await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service?.Status;
      return s === "OPERATION_IN_PROGRESS" ? undefined : s;
    });
    await client.send(new DeleteServiceCommand({ ServiceArn: serviceArn }));
    await eventually(async () => {
      const s = (await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service?.Status;
      return s === "DELETED" ? s : undefined;
    });
    const deleted = await client.send(new DeleteConnectionCommand({ ConnectionArn: c?.ConnectionArn }));
    assert.equal(deleted.Connection?.Status, "DELETED");
  });
});
