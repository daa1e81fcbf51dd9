import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { CreateServiceCommand, DescribeServiceCommand, ListOperationsCommand, PauseServiceCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import type { ServiceDeploymentSummary } from "../src/api/openrunner/service-deployments.js";
import { pushHelloApp } from "./support/app-images.js";
import { awsJsonCall } from "./support/aws-json-call.js";
import { CLI, eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const run = promisify(execFile);

type Summary = ServiceDeploymentSummary;

describe("rollback: an earlier successful deployment serves again from its image digest, with no pull and no build", () => {
  let registry: TestRegistry | undefined;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let httpsPort = 0;
  let ca = "";
  let service: Service;
  /** The operation ids of the deployments of v1, v2 and v3, in order. */
  const deployed: string[] = [];

  const arn = (): string => service.ServiceArn ?? "";
  const body = async (): Promise<string> => (await viaRouter({ port: httpsPort, host: service.ServiceUrl ?? "", https: { ca } })).body.trim();
  const openrunner = (operation: string, input: object) =>
    awsJsonCall(server.running.endpoint, server.running.rootKey, "openrunner", operation, JSON.stringify(input));
  const logLines = async (stream: string): Promise<string[]> => {
    const group = `/aws/apprunner/${service.ServiceName ?? ""}/${service.ServiceId ?? ""}/service`;
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    return (out.events ?? []).map((e) => (e.message ?? "").replace(/^\[AppRunner\] /, ""));
  };
  const update = async (tag: string): Promise<void> => {
    const out = await server.client.send(
      new UpdateServiceCommand({ ServiceArn: arn(), SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry?.host ?? ""}/hello:${tag}`, ImageRepositoryType: "ECR_PUBLIC" } } }),
    );
    const op = await waitForOperation(server.client, arn(), out.OperationId ?? "");
    assert.equal(op.Status, "SUCCEEDED");
    deployed.push(out.OperationId ?? "");
  };

  before(async () => {
    const httpPort = await freePort();
    httpsPort = await freePort();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort } },
    });
    ca = readFileSync(server.running.router?.caCertPath ?? "", "utf8");
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    registry = await startRegistry();
    await Promise.all(["v1", "v2", "v3"].map((v) => pushHelloApp(registry?.host ?? "", "hello", v, v)));
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "rollback-me",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    service = await waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
    deployed.push(out.OperationId ?? "");
    await update("v2");
    await update("v3");
    assert.equal(await body(), "v3");
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    await registry?.stop();
  });

  it("lists the retained successful deployments newest first, with their digests and sources, the serving one marked", async () => {
    const out = await openrunner("ListServiceDeployments", { ServiceArn: arn() });
    assert.equal(out.status, 200, JSON.stringify(out.body));
    const list = out.body.Deployments as Summary[];
    assert.deepEqual(list.map((d) => d.DeploymentId), [...deployed].reverse());
    assert.deepEqual(list.map((d) => d.Serving), [true, false, false]);
    assert.deepEqual(list.map((d) => d.SourceSummary.split("/").pop()), ["hello:v3", "hello:v2", "hello:v1"]);
    for (const d of list) assert.match(d.ImageDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(new Set(list.map((d) => d.ImageDigest)).size, 3);
  });

  it("refuses an unknown deployment (ResourceNotFoundException) and the serving one (InvalidStateException)", async () => {
    const unknown = await openrunner("RollbackService", { ServiceArn: arn(), DeploymentId: "0123456789abcdef0123456789abcdef" });
    assert.equal(unknown.type, "ResourceNotFoundException");
    const serving = await openrunner("RollbackService", { ServiceArn: arn(), DeploymentId: deployed[2] });
    assert.equal(serving.type, "InvalidStateException");
    const none = await openrunner("RollbackService", {});
    assert.equal(none.status, 400);
    assert.equal((await server.client.send(new DescribeServiceCommand({ ServiceArn: arn() }))).Service?.Status, "RUNNING");
  });

  it("AWSAppRunnerReadOnlyAccess lists deployments but may not roll back (apprunner:RollbackService on the service)", async () => {
    const iam = new IAMClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    try {
      await iam.send(new CreateUserCommand({ UserName: "reader" }));
      await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess" }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey;
      const reader = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
      const as = (operation: string, input: object) => awsJsonCall(server.running.endpoint, reader, "openrunner", operation, JSON.stringify(input));
      const listed = await as("ListServiceDeployments", { ServiceArn: arn() });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      const refused = await as("RollbackService", { ServiceArn: arn() });
      assert.equal(refused.type, "AccessDeniedException");
      assert.match(String(refused.body.Message ?? refused.body.message), /apprunner:RollbackService/);
    } finally {
      iam.destroy();
    }
  });

  it("openrunner rollback (a spawned CLI with the data directory's key) deploys the one before last: v2's body, found locally with the registry gone", async () => {
    // With the registry stopped, any pull would fail: the rollback can only find the image on this host.
    await registry?.stop();
    registry = undefined;
    const listed = await run(process.execPath, [CLI, "deployments", "--service", "rollback-me", "--data-dir", server.running.dataDir]);
    assert.match(listed.stdout, new RegExp(`${deployed[2] ?? "-"}.*\\(serving\\)`));
    await assert.rejects(run(process.execPath, [CLI, "rollback", "--service", "rollback-me", "--to", "no-such-deployment", "--data-dir", server.running.dataDir]), (err: Error & { stderr?: string; code?: number }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr ?? "", /^openrunner: ResourceNotFoundException: Deployment no-such-deployment is not a retained successful deployment/);
      return true;
    });
    const { stdout } = await run(process.execPath, [CLI, "rollback", "--service", "rollback-me", "--data-dir", server.running.dataDir]);
    const operationId = /operation (\S+)$/m.exec(stdout)?.[1] ?? "";
    assert.match(stdout, new RegExp(`^Rollback to deployment ${deployed[1] ?? "-"} \\(image sha256:[0-9a-f]{64}\\) started`));
    await eventually(async () => ((await body()) === "v2" ? true : undefined), 30_000, 20);
    const op = await waitForOperation(server.client, arn(), operationId);
    assert.equal(op.Status, "SUCCEEDED");
    assert.equal(op.Type, "START_DEPLOYMENT", "a rollback is a deployment to every App Runner client");
    const described = (await server.client.send(new DescribeServiceCommand({ ServiceArn: arn() }))).Service;
    assert.match(described?.SourceConfiguration?.ImageRepository?.ImageIdentifier ?? "", /\/hello:v2$/, "the service shows the configuration it runs again");
    assert.equal(described?.Status, "RUNNING");

    const log = await logLines(`deployment/${operationId}`);
    assert.match(log[0] ?? "", /Triggering event : ROLLBACK$/);
    assert.ok(log.some((l) => /^Rollback to deployment \S+ \(image sha256:[0-9a-f]{64}\) started\.$/.test(l)), log.join("\n"));
    assert.ok(log.includes("Image already present"), log.join("\n"));
    assert.ok(!log.some((l) => /^Pulled \d+ layers/.test(l) || /build/i.test(l)), log.join("\n"));
    assert.ok(log.some((l) => /^Rollback to deployment \S+ \(image sha256:[0-9a-f]{64}\) completed\.$/.test(l)), log.join("\n"));
    const events = await logLines("events");
    assert.ok(events.some((l) => l.includes(`Rollback to deployment ${deployed[1] ?? "-"}`) && l.includes("started")), events.join("\n"));
    assert.ok(events.some((l) => l.includes(`Rollback to deployment ${deployed[1] ?? "-"}`) && l.includes("completed")), events.join("\n"));

    // The rollback is itself a retained deployment now, and the one serving.
    const list = (await openrunner("ListServiceDeployments", { ServiceArn: arn() })).body.Deployments as Summary[];
    assert.equal(list[0]?.DeploymentId, operationId);
    assert.equal(list[0]?.Serving, true);
    assert.equal(list[0]?.ImageDigest, list.find((d) => d.DeploymentId === deployed[1])?.ImageDigest);
  });

  it("rolls back to a named deployment (v1) through the API, and refuses while the service is paused", async () => {
    const out = await openrunner("RollbackService", { ServiceArn: arn(), DeploymentId: deployed[0] });
    assert.equal(out.status, 200, JSON.stringify(out.body));
    await eventually(async () => ((await body()) === "v1" ? true : undefined), 30_000, 20);
    await waitForOperation(server.client, arn(), String(out.body.OperationId));
    const ops = (await server.client.send(new ListOperationsCommand({ ServiceArn: arn() }))).OperationSummaryList ?? [];
    assert.equal(ops[0]?.Id, out.body.OperationId);
    assert.equal(ops[0]?.Status, "SUCCEEDED");
    await server.client.send(new PauseServiceCommand({ ServiceArn: arn() }));
    await waitForStatus(server.client, arn(), "PAUSED");
    const paused = await openrunner("RollbackService", { ServiceArn: arn(), DeploymentId: deployed[1] });
    assert.equal(paused.type, "InvalidStateException");
  });
});
