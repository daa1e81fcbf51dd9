import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { pushCrashingApp, pushFixedPortApp, pushHelloApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { hostLeftovers, httpText, randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

describe("local runtime: image services run as runc containers", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let prefix = "";
  const serverLog: string[] = [];

  const driver = (): LocalRuntimeDriver => server.running.driver as LocalRuntimeDriver;
  const bodyOf = async (serviceId: string, path = "/"): Promise<string[]> => {
    const instances = driver().instances(serviceId);
    return Promise.all(instances.map(async (i) => (await httpText(`http://${i.address}:${i.port}${path}`)).body.trim()));
  };
  const logLines = async (group: string, stream: string): Promise<string[]> => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    return (out.events ?? []).map((e) => e.message ?? "");
  };

  before(async () => {
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0 },
      logger: (message, fields) => serverLog.push(`${message} ${JSON.stringify(fields ?? {})}`),
    });
    prefix = server.running.store.meta.get("runtime_prefix") ?? "";
    registry = await startRegistry({
      notifyUrl: `${server.running.endpoint}/openrunner/registry-notifications`,
      notifyToken: server.running.registryNotifyToken,
    });
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey });
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    await registry?.stop();
  });

  it("creates, updates, pauses, resumes, redeploys automatically, survives a crash and deletes without leftovers", async () => {
    const image = await pushHelloApp(registry.host, "hello", "latest", "v1");
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "hello",
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          ImageRepository: {
            ImageIdentifier: `${registry.host}/hello:latest`,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { Port: "3000", RuntimeEnvironmentVariables: { MESSAGE: "first" } },
          },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    const id = created.Service?.ServiceId ?? "";
    await waitForStatus(server.client, arn, "RUNNING");
    assert.deepEqual(await bodyOf(id), ["v1"]);
    assert.deepEqual(await bodyOf(id, "/cgi-bin/env"), ["MESSAGE=first"]);
    const [first] = driver().instances(id);
    assert.ok(first && first.port === 3000, "PORT is the configured port");

    // The deployment log tells each step; the instance's output reaches its application stream.
    const group = `/aws/apprunner/hello/${id}`;
    const deployLog = await logLines(`${group}/service`, `deployment/${created.OperationId}`);
    assert.ok(deployLog.some((l) => l.includes(`Pulling image ${registry.host}/hello:latest`)), deployLog.join("\n"));
    assert.ok(deployLog.some((l) => l.includes("passed its TCP health check")), deployLog.join("\n"));
    await eventually(async () => {
      const lines = await logLines(`${group}/application`, `instance/${first.instanceId}`);
      return lines.some((l) => l.includes("hello app starting on port 3000")) ? true : undefined;
    }, 5000);

    // UpdateService with a new variable: blue/green, the old instance is gone afterwards.
    const update = await server.client.send(
      new UpdateServiceCommand({
        ServiceArn: arn,
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          ImageRepository: {
            ImageIdentifier: `${registry.host}/hello:latest`,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { Port: "3000", RuntimeEnvironmentVariables: { MESSAGE: "second" } },
          },
        },
      }),
    );
    assert.equal((await waitForOperation(server.client, arn, update.OperationId ?? "")).Status, "SUCCEEDED");
    assert.deepEqual(await bodyOf(id, "/cgi-bin/env"), ["MESSAGE=second"]);
    assert.notEqual(driver().instances(id)[0]?.instanceId, first.instanceId);

    // A broken image: the deployment fails, rolls back, and the running version keeps answering.
    await pushCrashingApp(registry.host, "hello", "broken");
    const broken = await server.client.send(
      new UpdateServiceCommand({
        ServiceArn: arn,
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          ImageRepository: { ImageIdentifier: `${registry.host}/hello:broken`, ImageRepositoryType: "ECR_PUBLIC" },
        },
      }),
    );
    assert.equal((await waitForOperation(server.client, arn, broken.OperationId ?? "")).Status, "ROLLBACK_SUCCEEDED");
    assert.deepEqual(await bodyOf(id, "/cgi-bin/env"), ["MESSAGE=second"]);
    const brokenLog = (await logLines(`${group}/service`, `deployment/${broken.OperationId}`)).join("\n");
    assert.match(brokenLog, /exited with code 3/);
    assert.match(brokenLog, /fatal: cannot read configuration/);

    // Pause stops every instance; resume brings back the same digest even though the tag moved.
    await server.client.send(new PauseServiceCommand({ ServiceArn: arn }));
    await waitForStatus(server.client, arn, "PAUSED");
    assert.equal(driver().instances(id).length, 0);
    await pushHelloApp(registry.host, "hello", "latest", "v2-pushed-while-paused");
    await server.client.send(new ResumeServiceCommand({ ServiceArn: arn }));
    await waitForStatus(server.client, arn, "RUNNING");
    assert.deepEqual(await bodyOf(id), ["v1"]);

    // StartDeployment resolves the tag again.
    const manual = await server.client.send(new StartDeploymentCommand({ ServiceArn: arn }));
    assert.equal((await waitForOperation(server.client, arn, manual.OperationId ?? "")).Status, "SUCCEEDED");
    assert.deepEqual(await bodyOf(id), ["v2-pushed-while-paused"]);

    // Automatic deployment: the registry's push notification starts a deployment by itself.
    await pushHelloApp(registry.host, "hello", "latest", "v3-auto");
    await eventually(async () => ((await bodyOf(id))[0] === "v3-auto" ? true : undefined), 30_000, 200).catch((err: unknown) => {
      throw new Error(`${String(err)}\nserver log:\n${serverLog.join("\n")}\nregistry:\n${registry.output()}`);
    });
    await waitForStatus(server.client, arn, "RUNNING");

    // A killed instance is replaced and the events log says why.
    const victim = driver().instances(id)[0];
    assert.ok(victim);
    process.kill(victim.pid, "SIGKILL");
    const replacement = await eventually(async () => {
      const now = driver().instances(id).find((i) => i.instanceId !== victim.instanceId && i.healthy);
      return now;
    }, 20_000, 100);
    assert.deepEqual(await bodyOf(id), ["v3-auto"]);
    const events = (await logLines(`${group}/service`, "events")).join("\n");
    assert.match(events, new RegExp(`Instance ${victim.instanceId} exited with code 137`));
    assert.ok(replacement);

    // Out of memory: the kernel's OOM kill inside the instance is recorded in the events log.
    const oomTarget = driver().instances(id)[0];
    assert.ok(oomTarget);
    await httpText(`http://${oomTarget.address}:${oomTarget.port}/cgi-bin/oom`, 20_000).catch(() => undefined);
    await eventually(async () => {
      const text = (await logLines(`${group}/service`, "events")).join("\n");
      return /ran out of memory/.test(text) ? true : undefined;
    }, 20_000, 200);

    // Delete: nothing of the service is left on the machine.
    await server.client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    await eventually(async () => (driver().instances(id).length === 0 ? true : undefined));
    await waitForStatus(server.client, arn, "DELETED").catch(() => undefined);
    await eventually(async () => (hostLeftovers(prefix, server.running.dataDir).length === 0 ? true : undefined), 10_000, 200).catch(() => {
      assert.deepEqual(hostLeftovers(prefix, server.running.dataDir), []);
    });
    void image;
  });

  it("runs an image that ignores PORT on the default 8080, and fails a first deployment with CREATE_FAILED", async () => {
    await pushFixedPortApp(registry.host, "fixed", "1", "fixed-port");
    const ok = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "fixed",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: `${registry.host}/fixed:1`, ImageRepositoryType: "ECR_PUBLIC" },
        },
      }),
    );
    await pushCrashingApp(registry.host, "crash", "1");
    const bad = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "crash",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: `${registry.host}/crash:1`, ImageRepositoryType: "ECR_PUBLIC" },
        },
      }),
    );
    const missing = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "missing",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: `${registry.host}/nothing-here:1`, ImageRepositoryType: "ECR_PUBLIC" },
        },
      }),
    );
    await waitForStatus(server.client, ok.Service?.ServiceArn ?? "", "RUNNING");
    assert.deepEqual(await bodyOf(ok.Service?.ServiceId ?? ""), ["fixed-port"]);
    await waitForStatus(server.client, bad.Service?.ServiceArn ?? "", "CREATE_FAILED");
    await waitForStatus(server.client, missing.Service?.ServiceArn ?? "", "CREATE_FAILED");
    const missingLog = (
      await logLines(`/aws/apprunner/missing/${missing.Service?.ServiceId}/service`, `deployment/${missing.OperationId}`)
    ).join("\n");
    assert.match(missingLog, /not found/i);
    for (const s of [ok, bad, missing]) await server.client.send(new DeleteServiceCommand({ ServiceArn: s.Service?.ServiceArn }));
    await eventually(async () => (driver().instances(ok.Service?.ServiceId).length === 0 ? true : undefined));
  });
});
