import { CreateServiceCommand, DeleteServiceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isHaproxy } from "../src/router/haproxy-process.js";
import { pushHelloApp } from "./support/app-images.js";
import { eventually } from "./support/harness.js";
import { containerPid, LocalServer, runtimePrefix } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { hostLeftovers, httpText, recordedInstances, waitForStatus } from "./support/runtime-fixture.js";

const SLOW = { OPENRUNNER_ENGINE_STEP_DELAY_MS: "1500" };

describe("local runtime across control-plane crashes and restarts", () => {
  const srv = new LocalServer("openrunner-runtime-durability-");
  const data = srv.data;
  const block = srv.block;
  let registry: TestRegistry;
  const viaData = async (host: string): Promise<string> => (await srv.via(host)).body;
  const start = (env: Record<string, string> = {}): Promise<AppRunnerClient> => srv.start(env);
  const stop = (signal: NodeJS.Signals): Promise<void> => srv.stop(signal);

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
  });

  after(async () => {
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
    }
  });

  it("instances keep serving through kill -9, are adopted (not restarted) after it, and a stop leaves nothing behind", async () => {
    let client = await start();
    const source = { ImageRepository: { ImageIdentifier: `${registry.host}/hello:latest`, ImageRepositoryType: "ECR_PUBLIC" as const } };
    const created = await client.send(new CreateServiceCommand({ ServiceName: "steady", SourceConfiguration: { AutoDeploymentsEnabled: false, ...source } }));
    const arn = created.Service?.ServiceArn ?? "";
    const serviceId = created.Service?.ServiceId ?? "";
    await waitForStatus(client, arn, "RUNNING");
    const [before] = recordedInstances(data.dir, block).filter((i) => i.serviceId === serviceId);
    assert.ok(before);
    const pid = containerPid(before.containerId);
    assert.equal((await httpText(`http://${before.address}:8080/`)).body.trim(), "v1");
    const host = created.Service?.ServiceUrl ?? "";
    assert.equal(await viaData(host), "v1");

    // The control plane dies: the instance and the data plane do not notice.
    await stop("SIGKILL");
    assert.equal((await httpText(`http://${before.address}:8080/`)).body.trim(), "v1");
    assert.equal(await viaData(host), "v1", "HAProxy keeps routing while the control plane is down");

    // A deployment in flight when the control plane dies is finished after the restart, without duplicates.
    client = await start(SLOW);
    const second = await client.send(new CreateServiceCommand({ ServiceName: "in-flight", SourceConfiguration: { AutoDeploymentsEnabled: false, ...source } }));
    const secondId = second.Service?.ServiceId ?? "";
    await eventually(async () => (recordedInstances(data.dir, block).some((i) => i.serviceId === secondId) ? true : undefined), 30_000, 50);
    await stop("SIGKILL");
    client = await start();
    await waitForStatus(client, second.Service?.ServiceArn ?? "", "RUNNING");
    await eventually(async () => (recordedInstances(data.dir, block).filter((i) => i.serviceId === secondId).length === 1 ? true : undefined), 10_000);

    // The first instance was adopted: same instance, same process, still answering.
    const adopted = recordedInstances(data.dir, block).filter((i) => i.serviceId === serviceId);
    assert.deepEqual(
      adopted.map((i) => i.instanceId),
      [before.instanceId],
    );
    assert.equal(containerPid(before.containerId), pid);
    assert.equal((await httpText(`http://${before.address}:8080/`)).body.trim(), "v1");
    assert.equal(await viaData(host), "v1");

    // A graceful stop removes every container, namespace, veth, mount and cgroup.
    const prefix = runtimePrefix(data.dir);
    const haproxyPid = Number(readFileSync(join(data.dir, "router", "haproxy.pid"), "utf8").trim());
    await stop("SIGTERM");
    assert.deepEqual(hostLeftovers(prefix, data.dir), []);
    assert.equal(await isHaproxy(haproxyPid), false, "HAProxy stopped with the server");

    // The next start brings the running services back, then delete leaves nothing either.
    client = await start();
    await eventually(async () => {
      const now = recordedInstances(data.dir, block).filter((i) => i.serviceId === serviceId);
      if (now.length !== 1 || !now[0]) return undefined;
      return (await httpText(`http://${now[0].address}:8080/`)).body.trim() === "v1" ? true : undefined;
    }, 30_000, 100);
    await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    await client.send(new DeleteServiceCommand({ ServiceArn: second.Service?.ServiceArn }));
    await eventually(async () => (recordedInstances(data.dir, block).length === 0 ? true : undefined), 30_000, 100);
    await stop("SIGTERM");
    assert.deepEqual(hostLeftovers(prefix, data.dir), []);
  });
});
