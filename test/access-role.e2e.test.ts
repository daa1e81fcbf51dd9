/**
 * The access role, end to end on a real server with the built-in registry and runc instances:
 * an ECR image is pulled only when the service's access role can be assumed as
 * build.apprunner.amazonaws.com; otherwise the deployment fails with the role, the repository
 * and the reason in its log, and the running version keeps serving.
 *
 * The roles are real IAM roles made through the IAM API; App Runner's role sessions and the
 * policy-evaluating authorizer are the server's own.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateServiceCommand, ListOperationsCommand, UpdateServiceCommand, type Service, type SourceConfiguration } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { pushHelloApp } from "./support/app-images.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { ensureEcrAccessRole } from "./support/ecr-access-role.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { httpText, randomAddressBlock, waitForStatus } from "./support/runtime-fixture.js";

const trusting = (service: string): string => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

describe("access role: an ECR image is pulled only with what the service's access role allows", { timeout: 10 * 60_000, skip: skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  let server: InProcessServer;
  let source: TestRegistry;
  let logs: CloudWatchLogsClient;
  let image = "";
  const roleArn = (name: string): string => `arn:aws:iam::${server.running.config.accountId}:role/${name}`;

  before(async () => {
    source = await startRegistry();
    await pushHelloApp(source.host, "hello", "v1", "one");
    const registryPort = await freePort();
    server = await startInProcess({ localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0 }, registry: { port: registryPort } });
    const { endpoint, rootKey, config } = server.running;
    // The guide's access role, and two that cannot pull: one App Runner's build service may not
    // assume (it trusts the tasks service), one it may assume whose policy allows no pull.
    await ensureEcrAccessRole(endpoint, rootKey);
    const iam = new IAMClient({ endpoint, region: "us-east-1", credentials: rootKey, maxAttempts: 1 });
    try {
      await iam.send(new CreateRoleCommand({ RoleName: "NotTrustingRole", AssumeRolePolicyDocument: trusting("tasks.apprunner.amazonaws.com") }));
      await iam.send(new CreateRoleCommand({ RoleName: "NoPullRole", AssumeRolePolicyDocument: trusting("build.apprunner.amazonaws.com") }));
      const tokenOnly = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }] };
      await iam.send(new PutRolePolicyCommand({ RoleName: "NoPullRole", PolicyName: "token-only", PolicyDocument: JSON.stringify(tokenOnly) }));
    } finally {
      iam.destroy();
    }
    image = await copyToBuiltInRegistry({ endpoint, credentials: rootKey, registryPort, account: config.accountId }, `${source.host}/hello:v1`, "hello", "v1");
    logs = new CloudWatchLogsClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    await source?.stop();
  });

  const sourceWith = (role: string): SourceConfiguration => ({
    AutoDeploymentsEnabled: false,
    AuthenticationConfiguration: { AccessRoleArn: roleArn(role) },
    ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } },
  });

  const served = async (s: Service): Promise<string[]> =>
    Promise.all((server.running.driver as LocalRuntimeDriver).instances(s.ServiceId).map(async (i) => (await httpText(`http://${i.address}:${i.port}/`)).body.trim()));

  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }));
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };

  it("CreateService of an ECR image without an access role is refused, as on App Runner", async () => {
    const { AuthenticationConfiguration: _, ...noRole } = sourceWith("AppRunnerECRAccessRole");
    await assert.rejects(server.client.send(new CreateServiceCommand({ ServiceName: "no-access-role", SourceConfiguration: noRole })), {
      name: "InvalidRequestException",
      message: /An ECR image repository needs an access role/,
    });
  });

  it("runs with the guide's access role; a role App Runner may not assume, or one whose policy allows no pull, fails the update, and the running version keeps serving", async () => {
    const created = await server.client.send(new CreateServiceCommand({ ServiceName: "from-ecr", SourceConfiguration: sourceWith("AppRunnerECRAccessRole"), InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" } }));
    const service = await waitForStatus(server.client, created.Service?.ServiceArn ?? "", "RUNNING", 120_000);
    assert.deepEqual(await served(service), ["one"]);
    await failedUpdate(service, "NotTrustingRole", "build\\.apprunner\\.amazonaws\\.com cannot assume it");
    await failedUpdate(service, "NoPullRole", "ecr:BatchGetImage is not allowed \\(no policy of the role allows it\\)");
  });

  /** An update to `role` is rolled back with the reason in its deployment log, and the running version keeps serving. */
  async function failedUpdate(service: Service, role: string, why: string): Promise<void> {
    const update = await server.client.send(new UpdateServiceCommand({ ServiceArn: service.ServiceArn, SourceConfiguration: sourceWith(role) }));
    const operationId = update.OperationId ?? "";
    const done = await eventually(async () => {
      const ops = (await server.client.send(new ListOperationsCommand({ ServiceArn: service.ServiceArn }))).OperationSummaryList ?? [];
      return ops.find((o) => o.Id === operationId && o.Status !== "PENDING" && o.Status !== "IN_PROGRESS");
    }, 120_000, 250);
    // As App Runner reports a failed update: rolled back to what ran before.
    assert.equal(done.Status, "ROLLBACK_SUCCEEDED");
    await waitForStatus(server.client, service.ServiceArn ?? "", "RUNNING");
    const log = await deploymentLog(service, operationId);
    assert.match(
      log,
      new RegExp(
        `Failure reason : The access role ${roleArn(role)} cannot pull from arn:aws:ecr:${server.running.config.region}:${server.running.config.accountId}:repository/hello: ${why}`,
      ),
      log,
    );
    assert.deepEqual(await served(service), ["one"], "the running version keeps serving");
  }
});
