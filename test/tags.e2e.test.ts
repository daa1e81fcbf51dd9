import {
  CreateAutoScalingConfigurationCommand,
  CreateConnectionCommand,
  CreateObservabilityConfigurationCommand,
  CreateServiceCommand,
  CreateVpcConnectorCommand,
  DeleteAutoScalingConfigurationCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type AppRunnerClient,
  type Tag,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

async function tagsOf(client: AppRunnerClient, arn: string): Promise<Tag[] | undefined> {
  return (await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags;
}

describe("TagResource, UntagResource and ListTagsForResource", () => {
  let server: InProcessServer;
  const driver = new ScriptedRuntimeDriver();
  before(async () => {
    server = await startInProcess({ driver, quotas: { tagsPerResource: 3 } });
  });
  after(async () => server.close());

  it("adds, updates, lists and removes tags on a service", async () => {
    const { client } = server;
    const svc = await client.send(
      new CreateServiceCommand({
        ServiceName: "tagged",
        SourceConfiguration: { ImageRepository: image },
        Tags: [{ Key: "env", Value: "dev" }],
      }),
    );
    const arn = svc.Service?.ServiceArn ?? "";
    // Tags are not part of the service's definition: they can change while an operation runs.
    assert.equal(svc.Service?.Status, "OPERATION_IN_PROGRESS");
    await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "team", Value: "web" }] }));
    assert.deepEqual(await tagsOf(client, arn), [
      { Key: "env", Value: "dev" },
      { Key: "team", Value: "web" },
    ]);

    await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "prod" }, { Key: "empty", Value: "" }] }));
    assert.deepEqual(await tagsOf(client, arn), [
      { Key: "empty", Value: "" },
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "web" },
    ]);

    await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["empty", "team", "never-there"] }));
    assert.deepEqual(await tagsOf(client, arn), [{ Key: "env", Value: "prod" }]);
  });

  it("enforces the per-resource tag quota, counting updated keys once", async () => {
    const { client } = server;
    const asc = await client.send(
      new CreateAutoScalingConfigurationCommand({
        AutoScalingConfigurationName: "tag-quota",
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    const arn = asc.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
    await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "a", Value: "x" }, { Key: "c", Value: "3" }] }));
    await assert.rejects(client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "d", Value: "4" }] })), {
      name: "InvalidRequestException",
    });
    await assert.rejects(
      client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "b", Value: "1" }, { Key: "b", Value: "2" }] })),
      { name: "InvalidRequestException" },
    );
    assert.deepEqual(await tagsOf(client, arn), [
      { Key: "a", Value: "x" },
      { Key: "b", Value: "2" },
      { Key: "c", Value: "3" },
    ]);
    await assert.rejects(
      client.send(
        new CreateAutoScalingConfigurationCommand({
          AutoScalingConfigurationName: "too-many-tags",
          Tags: ["1", "2", "3", "4"].map((k) => ({ Key: k, Value: k })),
        }),
      ),
      { name: "InvalidRequestException" },
    );
  });

  it("rejects reserved aws: keys through the model", async () => {
    const { client } = server;
    const asc = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "aws-prefix" }));
    await assert.rejects(
      client.send(
        new TagResourceCommand({
          ResourceArn: asc.AutoScalingConfiguration?.AutoScalingConfigurationArn,
          Tags: [{ Key: "aws:owner", Value: "x" }],
        }),
      ),
      { name: "InvalidRequestException" },
    );
  });

  it("tags every kind of App Runner resource", async () => {
    const { client } = server;
    const arns = [
      (await client.send(new CreateObservabilityConfigurationCommand({ ObservabilityConfigurationName: "tag-obs" })))
        .ObservabilityConfiguration?.ObservabilityConfigurationArn,
      (await client.send(new CreateConnectionCommand({ ConnectionName: "tag-conn", ProviderType: "GITHUB" }))).Connection?.ConnectionArn,
      (await client.send(new CreateVpcConnectorCommand({ VpcConnectorName: "tag-vpc", Subnets: ["subnet-0123456789abcdef0"] })))
        .VpcConnector?.VpcConnectorArn,
    ];
    for (const arn of arns) {
      assert.ok(arn);
      await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "owner", Value: "me" }] }));
      assert.deepEqual(await tagsOf(client, arn), [{ Key: "owner", Value: "me" }]);
    }
  });

  it("answers ResourceNotFoundException for unknown and deleted resources", async () => {
    const { client } = server;
    const missing = "arn:aws:apprunner:us-east-1:123456789012:service/nothing/0123456789abcdef0123456789abcdef";
    const notFound = { name: "ResourceNotFoundException" };
    await assert.rejects(tagsOf(client, missing), notFound);
    await assert.rejects(client.send(new TagResourceCommand({ ResourceArn: missing, Tags: [{ Key: "k", Value: "v" }] })), notFound);
    await assert.rejects(client.send(new UntagResourceCommand({ ResourceArn: missing, TagKeys: ["k"] })), notFound);

    // A deleted auto scaling configuration revision (INACTIVE) can no longer be tagged.
    const asc = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "tag-deleted" }));
    const ascArn = asc.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
    await client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: ascArn }));
    await assert.rejects(tagsOf(client, ascArn), notFound);

    // A deleted service neither.
    const svc = await client.send(new CreateServiceCommand({ ServiceName: "tag-gone", SourceConfiguration: { ImageRepository: image } }));
    const arn = svc.Service?.ServiceArn ?? "";
    const status = (): Promise<string> =>
      eventually(async () => {
        const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
        return s === "OPERATION_IN_PROGRESS" ? undefined : s;
      });
    assert.equal(await status(), "RUNNING");
    await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    assert.equal(await status(), "DELETED");
    await assert.rejects(client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "k", Value: "v" }] })), notFound);
  });
});
