import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  UpdateDefaultAutoScalingConfigurationCommand,
  UpdateServiceCommand,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

async function statusOf(client: AppRunnerClient, arn: string): Promise<string | undefined> {
  return (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
}

const describeOf = async (client: AppRunnerClient, arn: string) => (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;

async function settled(client: AppRunnerClient, arn: string): Promise<string> {
  return eventually(async () => {
    const s = await statusOf(client, arn);
    return s === "OPERATION_IN_PROGRESS" ? undefined : s;
  });
}

describe("service lifecycle through @aws-sdk/client-apprunner", () => {
  let server: InProcessServer;
  const driver = new ScriptedRuntimeDriver();
  before(async () => {
    server = await startInProcess({ driver });
  });
  after(async () => server.close());

  it("creates, describes, lists, updates, deploys, pauses, resumes and deletes", async () => {
    const { client } = server;
    const created = await client.send(
      new CreateServiceCommand({ ServiceName: "life-cycle", SourceConfiguration: { ImageRepository: image } }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    assert.match(arn, /^arn:aws:apprunner:us-east-1:\d{12}:service\/life-cycle\/[0-9a-f]{32}$/);
    assert.match(created.Service?.ServiceUrl ?? "", /^[a-z0-9]{10}\.us-east-1\.openrunner\.localhost$/);
    assert.equal(created.Service?.Status, "OPERATION_IN_PROGRESS");
    assert.match(created.OperationId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(await settled(client, arn), "RUNNING");

    const listed = await client.send(new ListServicesCommand({}));
    assert.ok(listed.ServiceSummaryList?.some((s) => s.ServiceArn === arn));

    const release = driver.hold();
    const updated = await client.send(
      new UpdateServiceCommand({ ServiceArn: arn, InstanceConfiguration: { Cpu: "2 vCPU", Memory: "4 GB" } }),
    );
    assert.equal(updated.Service?.InstanceConfiguration?.Cpu, "2048");
    await assert.rejects(client.send(new PauseServiceCommand({ ServiceArn: arn })), { name: "InvalidStateException" });
    release();
    assert.equal(await settled(client, arn), "RUNNING");

    await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
    assert.equal(await settled(client, arn), "RUNNING");

    await client.send(new PauseServiceCommand({ ServiceArn: arn }));
    assert.equal(await settled(client, arn), "PAUSED");
    await assert.rejects(client.send(new StartDeploymentCommand({ ServiceArn: arn })), { name: "InvalidStateException" });
    await assert.rejects(client.send(new UpdateServiceCommand({ ServiceArn: arn })), { name: "InvalidStateException" });
    await client.send(new ResumeServiceCommand({ ServiceArn: arn }));
    assert.equal(await settled(client, arn), "RUNNING");

    const ops = await client.send(new ListOperationsCommand({ ServiceArn: arn }));
    assert.deepEqual(
      ops.OperationSummaryList?.map((o) => `${o.Type}:${o.Status}`),
      [
        "RESUME_SERVICE:SUCCEEDED",
        "PAUSE_SERVICE:SUCCEEDED",
        "START_DEPLOYMENT:SUCCEEDED",
        "UPDATE_SERVICE:SUCCEEDED",
        "CREATE_SERVICE:SUCCEEDED",
      ],
    );

    await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    assert.equal(await settled(client, arn), "DELETED");
    const after = await client.send(new ListServicesCommand({}));
    assert.ok(!after.ServiceSummaryList?.some((s) => s.ServiceArn === arn));
  });

  it("rolls back a failed deployment and keeps the previous version serving", async () => {
    const { client } = server;
    const created = await client.send(
      new CreateServiceCommand({ ServiceName: "roll-back", SourceConfiguration: { ImageRepository: image } }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    assert.equal(await settled(client, arn), "RUNNING");
    driver.failNext = "waitHealthy";
    await client.send(new UpdateServiceCommand({ ServiceArn: arn, InstanceConfiguration: { Cpu: "4 vCPU", Memory: "8 GB" } }));
    assert.equal(await settled(client, arn), "RUNNING");
    const ops = await client.send(new ListOperationsCommand({ ServiceArn: arn }));
    assert.equal(ops.OperationSummaryList?.[0]?.Status, "ROLLBACK_SUCCEEDED");
    const s = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
    assert.equal(s.Service?.InstanceConfiguration?.Cpu, "1024", "the failed update's configuration is rolled back");
  });

  it("allows DeleteService while another operation runs, and refuses a second operation", async () => {
    const { client } = server;
    const release = driver.hold();
    const created = await client.send(
      new CreateServiceCommand({ ServiceName: "busy-one", SourceConfiguration: { ImageRepository: image } }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    await assert.rejects(client.send(new UpdateServiceCommand({ ServiceArn: arn })), { name: "InvalidStateException" });
    await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    // A second delete is refused while the first runs, or finds the service already gone.
    await assert.rejects(client.send(new DeleteServiceCommand({ ServiceArn: arn })), (e: Error) =>
      ["InvalidStateException", "ResourceNotFoundException"].includes(e.name),
    );
    assert.equal(await settled(client, arn), "DELETED");
    release();
    const ops = await client.send(new ListOperationsCommand({ ServiceArn: arn }));
    assert.deepEqual(
      ops.OperationSummaryList?.map((o) => `${o.Type}:${o.Status}`),
      ["DELETE_SERVICE:SUCCEEDED", "CREATE_SERVICE:FAILED"],
    );
  });

  // DescribeService keeps its answer (and its JSON) while the service and its auto scaling
  // configuration are unchanged (src/api/operations/services.ts): every change must show.
  it("DescribeService shows an update of the service and a change of its auto scaling configuration's default flag after a kept answer", async () => {
    const { client } = server;
    const asc = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "kept", MaxSize: 3 }));
    const ascArn = asc.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
    const created = await client.send(
      new CreateServiceCommand({ ServiceName: "kept-answer", SourceConfiguration: { ImageRepository: image }, AutoScalingConfigurationArn: ascArn }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    await eventually(async () => ((await describeOf(client, arn))?.Status === "RUNNING" ? true : undefined));
    // Asked twice: the second answer is the kept one.
    for (let i = 0; i < 2; i++) {
      const s = await describeOf(client, arn);
      assert.equal(s?.InstanceConfiguration?.Cpu, "1024");
      assert.equal(s?.AutoScalingConfigurationSummary?.IsDefault, false);
    }

    await client.send(new UpdateServiceCommand({ ServiceArn: arn, InstanceConfiguration: { Cpu: "2 vCPU", Memory: "4 GB" } }));
    assert.equal((await describeOf(client, arn))?.InstanceConfiguration?.Cpu, "2048");
    await eventually(async () => ((await describeOf(client, arn))?.Status === "RUNNING" ? true : undefined));
    const before = await describeOf(client, arn);
    assert.equal(before?.AutoScalingConfigurationSummary?.IsDefault, false);

    // Only the configuration's row changes: the service's document stays the same.
    await client.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: ascArn }));
    const after = await describeOf(client, arn);
    assert.equal(after?.AutoScalingConfigurationSummary?.IsDefault, true);
    assert.equal(after?.UpdatedAt?.getTime(), before?.UpdatedAt?.getTime());
  });

  // ListServices keeps each page's answer while its services' documents and its next token are
  // unchanged (src/api/operations/services.ts): a status change, a new service, a deleted one and
  // the pages themselves must show.
  it("ListServices shows every change after kept pages, whole and page by page", async () => {
    const { client } = server;
    const summaries = async (): Promise<Map<string, string | undefined>> =>
      new Map(((await client.send(new ListServicesCommand({}))).ServiceSummaryList ?? []).map((s) => [s.ServiceArn ?? "", s.Status]));
    const pages = async (): Promise<string[]> => {
      const arns: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 50; i++) {
        const page = await client.send(new ListServicesCommand({ MaxResults: 1, ...(token ? { NextToken: token } : {}) }));
        arns.push(...(page.ServiceSummaryList ?? []).map((s) => s.ServiceArn ?? ""));
        token = page.NextToken;
        if (!token) break;
      }
      return arns;
    };
    const created = await client.send(new CreateServiceCommand({ ServiceName: "kept-list-1", SourceConfiguration: { ImageRepository: image } }));
    const first = created.Service?.ServiceArn ?? "";
    assert.equal(await settled(client, first), "RUNNING");
    // Asked twice, whole and by pages: the second answers are the kept ones.
    for (let i = 0; i < 2; i++) {
      assert.equal((await summaries()).get(first), "RUNNING");
      assert.ok((await pages()).includes(first));
    }
    const before = await pages();

    await client.send(new PauseServiceCommand({ ServiceArn: first }));
    assert.equal(await settled(client, first), "PAUSED");
    assert.equal((await summaries()).get(first), "PAUSED");

    const second = (await client.send(new CreateServiceCommand({ ServiceName: "kept-list-2", SourceConfiguration: { ImageRepository: image } }))).Service?.ServiceArn ?? "";
    assert.equal(await settled(client, second), "RUNNING");
    assert.equal((await summaries()).get(second), "RUNNING");
    assert.deepEqual(await pages(), [...before, second]);

    await client.send(new DeleteServiceCommand({ ServiceArn: first }));
    assert.equal(await settled(client, first), "DELETED");
    assert.equal((await summaries()).has(first), false);
    assert.deepEqual(await pages(), [...before.filter((a) => a !== first), second]);
  });
});
