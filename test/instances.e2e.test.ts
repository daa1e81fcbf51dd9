import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { CreateServiceCommand, DeleteServiceCommand } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ServiceInstance } from "../src/domain/instances.js";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { applicationLogGroup, instanceStream } from "../src/telemetry/log-groups.js";
import { pushHelloApp } from "./support/app-images.js";
import { awsJsonCall, type JsonAnswer } from "./support/aws-json-call.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { randomAddressBlock, waitForStatus } from "./support/runtime-fixture.js";

const NAME = "instances-app";

/** OpenRunner.ListServiceInstances over real HTTP, signed as the console signs it. */
const listInstances = (server: InProcessServer, input: unknown): Promise<JsonAnswer> =>
  awsJsonCall(server.running.endpoint, server.running.rootKey, "openrunner", "ListServiceInstances", JSON.stringify(input));

const instancesOf = (answer: JsonAnswer): ServiceInstance[] => {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.Instances as ServiceInstance[];
};

describe("OpenRunner.ListServiceInstances: which instances a service runs, and on which node", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;

  before(async () => {
    server = await startInProcess({ localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0 } });
    registry = await startRegistry();
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
  });
  after(async () => {
    logs?.destroy();
    await server?.close();
    await registry?.stop();
  });

  it("lists a running local instance on this machine, under the id its log stream has", async () => {
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: NAME,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: `${registry.host}/hello:latest`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "3000" } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    const serviceId = created.Service?.ServiceId ?? "";
    await waitForStatus(server.client, arn, "RUNNING");

    const [instance, ...more] = instancesOf(await listInstances(server, { ServiceArn: arn }));
    assert.equal(more.length, 0);
    assert.ok(instance);
    const [running] = (server.running.driver as LocalRuntimeDriver).instances(serviceId);
    assert.ok(running);
    assert.deepEqual(instance, {
      InstanceId: running.instanceId,
      DeploymentId: running.deploymentId,
      Node: hostname(),
      Address: running.address,
      Port: 3000,
      Status: "HEALTHY",
      Serving: true,
    });
    // The id is the one of the application log stream the instance writes to.
    const started = await eventually(async () => {
      const out = await logs.send(
        new GetLogEventsCommand({ logGroupName: applicationLogGroup(NAME, serviceId), logStreamName: instanceStream(instance.InstanceId), startFromHead: true }),
      );
      return (out.events ?? []).find((e) => e.message?.includes("hello app starting on port 3000"));
    }, 30_000, 200);
    assert.ok(started);

    // Once deleted, its instances are gone and so is the service.
    await server.client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    await eventually(async () => ((await listInstances(server, { ServiceArn: arn })).type === "ResourceNotFoundException" ? true : undefined), 60_000, 200);
  });

  it("answers ResourceNotFoundException for an unknown service and InvalidRequestException without an ARN", async () => {
    const { region, accountId } = server.running.config;
    const unknown = await listInstances(server, { ServiceArn: `arn:aws:apprunner:${region}:${accountId}:service/nope/0123456789abcdef0123456789abcdef` });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.type, "ResourceNotFoundException");
    const empty = await listInstances(server, { ServiceArn: "" });
    assert.equal(empty.type, "InvalidRequestException");
    const wrongType = await listInstances(server, { ServiceArn: 7 });
    assert.equal(wrongType.type, "SerializationException");
  });
});

describe("OpenRunner.ListServiceInstances without a runtime", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess();
  });
  after(async () => {
    await server?.close();
  });

  it("lists no instances: nothing runs", async () => {
    const created = await server.client.send(
      new CreateServiceCommand({ ServiceName: "no-runtime", SourceConfiguration: { ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    assert.deepEqual(instancesOf(await listInstances(server, { ServiceArn: created.Service?.ServiceArn })), []);
  });
});
