import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  UpdateServiceCommand,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isHaproxy } from "../src/router/haproxy-process.js";
import { pushHelloApp } from "./support/app-images.js";
import { eventually } from "./support/harness.js";
import { containerPid, LocalServer, runtimePrefix } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { loadLoop } from "./support/router-client.js";
import { hostLeftovers, recordedInstances, waitForStatus } from "./support/runtime-fixture.js";

/**
 * Chaos in bounded rounds: in each, one instance of every service crashes, the control plane
 * is killed with SIGKILL and restarted, and a service is updated, all under load. At the end
 * every service answers with its latest version and a stop leaves nothing on the host.
 */
const ROUNDS = 3;

describe("chaos: app crashes, kill -9 of the control plane and updates under load", () => {
  const runtime = new LocalServer("openrunner-chaos-");
  const data = runtime.data;
  const block = runtime.block;
  let registry: TestRegistry;

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "v1", "v1");
    await pushHelloApp(registry.host, "hello", "v2", "v2");
  });

  after(async () => {
    try {
      await runtime.cleanup();
    } finally {
      await registry?.stop();
    }
  });

  const image = (tag: string) => ({
    ImageRepository: { ImageIdentifier: `${registry.host}/hello:${tag}`, ImageRepositoryType: "ECR_PUBLIC" as const },
    AutoDeploymentsEnabled: false,
  });

  /** Kills one instance's container from the host, as a crashing app or the OOM killer would. */
  const crashOneInstance = (serviceId: string): void => {
    const victim = recordedInstances(data.dir, block).find((i) => i.serviceId === serviceId);
    if (!victim) return; // Being replaced right now: there is nothing to crash this round.
    try {
      process.kill(containerPid(victim.containerId), "SIGKILL");
    } catch {
      // Gone between the listing and the kill: it crashed on its own schedule.
    }
  };

  const answers = async (host: string, body: string): Promise<true | undefined> => {
    const r = await runtime.via(host);
    if (r.status === 200 && r.body === body) return true;
    throw new Error(`${host} answered ${r.status}: ${r.body.slice(0, 80)}`);
  };

  it("ends with every service answering its latest version and nothing leaked", async (t) => {
    let client: AppRunnerClient = await runtime.start();
    const asc = await client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "pair", MinSize: 2, MaxSize: 3, MaxConcurrency: 50 }),
    );
    const pair = (
      await client.send(
        new CreateServiceCommand({
          ServiceName: "pair",
          SourceConfiguration: image("v1"),
          AutoScalingConfigurationArn: asc.AutoScalingConfiguration?.AutoScalingConfigurationArn,
        }),
      )
    ).Service;
    const single = (await client.send(new CreateServiceCommand({ ServiceName: "single", SourceConfiguration: image("v1") }))).Service;
    assert.ok(pair?.ServiceArn && pair.ServiceId && pair.ServiceUrl && single?.ServiceArn && single.ServiceId && single.ServiceUrl);
    await waitForStatus(client, pair.ServiceArn, "RUNNING");
    await waitForStatus(client, single.ServiceArn, "RUNNING");
    await eventually(() => answers(pair.ServiceUrl ?? "", "v1"), 30_000, 100);
    await eventually(() => answers(single.ServiceUrl ?? "", "v1"), 30_000, 100);

    const loads = [pair, single].map((s) => loadLoop({ port: runtime.httpPort, host: s.ServiceUrl ?? "", path: "/", clients: 2, maxRequests: 50_000 }));
    let latest = "v1";
    try {
      for (let round = 0; round < ROUNDS; round++) {
        crashOneInstance(pair.ServiceId);
        crashOneInstance(single.ServiceId);
        await runtime.stop("SIGKILL");
        client = await runtime.start();
        latest = latest === "v1" ? "v2" : "v1";
        await client.send(new UpdateServiceCommand({ ServiceArn: pair.ServiceArn, SourceConfiguration: image(latest) }));
        await eventually(() => answers(pair.ServiceUrl ?? "", latest), 60_000, 100);
        await waitForStatus(client, pair.ServiceArn, "RUNNING");
      }
    } finally {
      await Promise.all(loads.map((l) => l.stop()));
    }
    for (const [i, name] of ["pair", "single"].entries()) {
      const l = loads[i];
      t.diagnostic(`${name}: ${l?.ok ?? 0} answered, ${l?.failures.length ?? 0} failed${l?.failures.length ? ` (first: ${l.failures[0]})` : ""}`);
    }

    // Whatever happened, every service is back, answering at its ServiceUrl with its latest version.
    await waitForStatus(client, single.ServiceArn, "RUNNING");
    await eventually(() => answers(pair.ServiceUrl ?? "", latest), 30_000, 100);
    await eventually(() => answers(single.ServiceUrl ?? "", "v1"), 30_000, 100);
    await eventually(async () => (recordedInstances(data.dir, block).filter((i) => i.serviceId === pair.ServiceId).length >= 2 ? true : undefined), 30_000, 100);

    // Nothing leaked: deleting both and stopping leaves no container, namespace, link, mount, cgroup or HAProxy.
    await client.send(new DeleteServiceCommand({ ServiceArn: pair.ServiceArn }));
    await client.send(new DeleteServiceCommand({ ServiceArn: single.ServiceArn }));
    await eventually(async () => (recordedInstances(data.dir, block).length === 0 ? true : undefined), 60_000, 100);
    const prefix = runtimePrefix(data.dir);
    const haproxyPid = Number(readFileSync(join(data.dir, "router", "haproxy.pid"), "utf8").trim());
    await runtime.stop("SIGTERM");
    assert.deepEqual(hostLeftovers(prefix, data.dir), []);
    assert.equal(await isHaproxy(haproxyPid), false, "HAProxy stopped with the server");
  });
});
