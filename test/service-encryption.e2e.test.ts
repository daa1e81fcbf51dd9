import {
  CreateServiceCommand,
  DescribeServiceCommand,
  ListServicesCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deploymentStream, serviceLogGroup } from "../src/telemetry/log-groups.js";
import { awsJsonCall } from "./support/aws-json-call.js";
import { eventually, startInProcess, tempDataDir, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { KeyServiceSpy, TestKeys } from "./support/test-keys.js";

const ENV_VALUE = "env-value-under-the-customer-key";

const input = (name: string, kmsKey?: string, env: Record<string, string> = { DB_URL: ENV_VALUE }): CreateServiceCommandInput => ({
  ServiceName: name,
  SourceConfiguration: {
    AutoDeploymentsEnabled: false,
    ImageRepository: {
      ImageIdentifier: "127.0.0.1:5000/hello:latest",
      ImageRepositoryType: "ECR_PUBLIC",
      ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: env },
    },
  },
  ...(kmsKey ? { EncryptionConfiguration: { KmsKey: kmsKey } } : {}),
});

const envOf = (s: Service | undefined): Record<string, string> | undefined =>
  s?.SourceConfiguration?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentVariables;

/**
 * EncryptionConfiguration.KmsKey through the real server and engine (scripted driver), with the
 * real KMS's keys held by the test (they outlive a restart of the server) behind a spy that can
 * refuse what root would otherwise get and play an asymmetric key; the whole path with the
 * server's own KMS is `test/secrets-at-rest.e2e.test.ts`.
 */
describe("a service encrypted with a customer KMS key", () => {
  const kms = new TestKeys();
  const spy = new KeyServiceSpy(kms.service);
  const data = tempDataDir("openrunner-svckms-");
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  const driver = new ScriptedRuntimeDriver();

  const start = async (): Promise<void> => {
    server = await startInProcess({ driver, keys: spy, dataDir: data.dir });
    const { endpoint, config, rootKey } = server.running;
    kms.place.accountId = config.accountId;
    kms.place.region = config.region;
    logs = new CloudWatchLogsClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
  };
  const stop = async (): Promise<void> => {
    logs.destroy();
    await server.close();
  };
  const describeService = async (arn: string): Promise<Service> => {
    const s = (await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
    assert.ok(s);
    return s;
  };
  const settled = (arn: string): Promise<Service> =>
    eventually(async () => {
      const s = await describeService(arn);
      return s.Status === "OPERATION_IN_PROGRESS" ? undefined : s;
    });
  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: serviceLogGroup(s.ServiceName ?? "", s.ServiceId ?? ""), logStreamName: deploymentStream(operationId) }));
    return (out.events ?? []).map((e) => e.message).join("\n");
  };

  before(start);
  after(async () => {
    await stop();
    data.remove();
  });

  it("refuses a key that is not there, not Enabled, of another account, not symmetric, or not the caller's to use", async () => {
    const { config } = server.running;
    const missing = `arn:aws:kms:${config.region}:${config.accountId}:key/00000000-0000-4000-8000-000000000000`;
    const disabled = kms.createKey();
    kms.setState(disabled.arn, "Disabled");
    const pending = kms.createKey();
    kms.setState(pending.arn, "PendingDeletion");
    const asymmetric = kms.createKey();
    spy.withoutDataKeys.add(asymmetric.arn);
    const denied = kms.createKey();
    spy.refused.add(`arn:aws:iam::${config.accountId}:root kms:CreateGrant ${denied.arn}`);
    const cases: [string, RegExp][] = [
      [missing, /does not exist/],
      [disabled.arn, /is disabled/],
      [pending.arn, /is pending deletion/],
      [`arn:aws:kms:${config.region}:999999999999:key/${denied.keyId}`, /not a key of this account/],
      [asymmetric.arn, /symmetric/],
    ];
    for (const [key, message] of cases) {
      await assert.rejects(server.client.send(new CreateServiceCommand(input("refused", key))), { name: "InvalidRequestException", message }, key);
    }
    await assert.rejects(server.client.send(new CreateServiceCommand(input("refused", denied.arn))), { name: "AccessDeniedException", message: /kms:CreateGrant/ });
    spy.refused.clear();
    assert.equal((await server.client.send(new ListServicesCommand({}))).ServiceSummaryList?.length, 0, "nothing was created");
  });

  it("creates the AWS managed key aws/apprunner for a service without a key, as AWS does on first use", async () => {
    const created = await server.client.send(new CreateServiceCommand(input("managed")));
    assert.equal(created.Service?.EncryptionConfiguration, undefined);
    assert.ok(kms.service.aliases().some((a) => a.name === "alias/aws/apprunner"));
    assert.equal((await settled(created.Service?.ServiceArn ?? "")).Status, "RUNNING");
  });

  it("describes the key as given; a disabled key fails UpdateService, StartDeployment and ResumeService clearly while the running version serves", async () => {
    const key = kms.createKey();
    const created = await server.client.send(new CreateServiceCommand(input("keyed", key.arn)));
    const arn = created.Service?.ServiceArn ?? "";
    const running = await settled(arn);
    assert.equal(running.Status, "RUNNING");
    assert.deepEqual(running.EncryptionConfiguration, { KmsKey: key.arn });
    assert.deepEqual(envOf(running), { DB_URL: ENV_VALUE });
    const serving = driver.serving.get(running.ServiceId ?? "");
    assert.ok(serving);

    kms.setState(key.arn, "Disabled");
    const update = await server.client.send(new UpdateServiceCommand({ ...input("keyed", undefined, { DB_URL: "next" }), ServiceName: undefined, ServiceArn: arn } as never));
    const afterUpdate = await settled(arn);
    assert.equal(afterUpdate.Status, "RUNNING");
    assert.deepEqual(envOf(afterUpdate), { DB_URL: ENV_VALUE }, "the update's configuration is rolled back");
    assert.equal(driver.serving.get(running.ServiceId ?? ""), serving, "the running version still serves");
    const log = await deploymentLog(running, update.OperationId ?? "");
    assert.match(log, new RegExp(`failed\\. Failure reason : .*the service's KMS key ${key.arn} is disabled.*Enable it .*deploy again`));
    assert.doesNotMatch(log, /scripted artifact/, "nothing was pulled or built");

    const manual = await server.client.send(new StartDeploymentCommand({ ServiceArn: arn }));
    await settled(arn);
    assert.match(await deploymentLog(running, manual.OperationId ?? ""), /is disabled/);

    kms.setState(key.arn, "Enabled");
    await server.client.send(new PauseServiceCommand({ ServiceArn: arn }));
    assert.equal((await settled(arn)).Status, "PAUSED");
    kms.setState(key.arn, "PendingDeletion");
    const resume = await server.client.send(new ResumeServiceCommand({ ServiceArn: arn }));
    assert.equal((await settled(arn)).Status, "PAUSED");
    assert.match(await deploymentLog(running, resume.OperationId ?? ""), /is pending deletion/);
  });

  it("records CreateService and UpdateService in the trail with the environment HIDDEN_DUE_TO_SECURITY_REASONS, as the guide's CloudTrail section shows", async () => {
    const { endpoint, rootKey } = server.running;
    const events: string[] = [];
    for (const name of ["CreateService", "UpdateService"]) {
      const page = await awsJsonCall(endpoint, rootKey, "cloudtrail", "LookupEvents", JSON.stringify({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }] }));
      events.push(...((page.body.Events ?? []) as { CloudTrailEvent: string }[]).map((e) => e.CloudTrailEvent));
    }
    const update = events.map((e) => JSON.parse(e) as { eventName: string; requestParameters: { sourceConfiguration?: unknown } | null }).find((e) => e.eventName === "UpdateService");
    assert.ok(update, "UpdateService was recorded");
    assert.deepEqual(update.requestParameters?.sourceConfiguration, {
      autoDeploymentsEnabled: false,
      imageRepository: {
        imageIdentifier: "127.0.0.1:5000/hello:latest",
        imageRepositoryType: "ECR_PUBLIC",
        imageConfiguration: { port: "8080", runtimeEnvironmentVariables: "HIDDEN_DUE_TO_SECURITY_REASONS" },
      },
    });
    for (const e of events) assert.equal(e.includes(ENV_VALUE) || e.includes("DB_URL"), false, e);
  });

  it("keeps describing and listing it after a restart with its key disabled, without the members the key would open, and all of it once enabled", async () => {
    const arn = (await server.client.send(new ListServicesCommand({}))).ServiceSummaryList?.find((s) => s.ServiceName === "keyed")?.ServiceArn ?? "";
    const key = (await describeService(arn)).EncryptionConfiguration?.KmsKey ?? "";
    kms.setState(key, "Disabled");
    await stop();
    await start();
    const listed = (await server.client.send(new ListServicesCommand({}))).ServiceSummaryList ?? [];
    assert.deepEqual(listed.map((s) => s.ServiceName).sort(), ["keyed", "managed"]);
    const withheld = await describeService(arn);
    assert.equal(withheld.Status, "PAUSED");
    assert.deepEqual(withheld.EncryptionConfiguration, { KmsKey: key });
    assert.equal(envOf(withheld), undefined);
    kms.setState(key, "Enabled");
    assert.deepEqual(envOf(await describeService(arn)), { DB_URL: ENV_VALUE });
  });
});
