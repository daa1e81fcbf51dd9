/**
 * OpenRunner on a three-node swarm (Docker-in-Docker nodes of this test, test/support/
 * swarm-cluster.ts), driven with the AWS SDK: images come from the built-in registry, which
 * listens on the nodes' bridge so every node pulls from it; a service's tasks spread over the
 * nodes and answer at its ServiceUrl through the data plane; load makes the autoscaler add
 * replicas and its end takes them away; a node that dies under load has its tasks rescheduled
 * on the others while no request fails. Traffic stays on loopback and the test's own bridge.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateAutoScalingConfigurationCommand, CreateServiceCommand, DeleteServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { pushConcurrencyApp, pushHelloApp } from "./support/app-images.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { dockerdSkipReason } from "./support/dockerd.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, loadLoop, viaRouter } from "./support/router-client.js";
import { randomAddressBlock } from "./support/runtime-fixture.js";
import { waitForStatus } from "./support/runtime-fixture.js";
import { startSwarmCluster, type SwarmCluster } from "./support/swarm-cluster.js";
import type { SwarmRuntimeDriver } from "../src/runtime/swarm/driver.js";
import { ensureEcrAccessRole } from "./support/ecr-access-role.js";

describe("OpenRunner on a three-node swarm", { timeout: 15 * 60_000, skip: dockerdSkipReason() || skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  let cluster: SwarmCluster | undefined;
  let server: InProcessServer | undefined;
  let source: TestRegistry | undefined;
  let httpPort = 0;
  let registryPort = 0;
  const serverLog: string[] = [];
  const services: Service[] = [];

  const driver = (): SwarmRuntimeDriver => server?.running.driver as SwarmRuntimeDriver;
  const client = () => {
    assert.ok(server, "the server started");
    return server.client;
  };

  /** The image's ECR name in the built-in registry, copied from the test's plain registry. */
  const inBuiltInRegistry = async (repository: string, tag: string): Promise<string> => {
    assert.ok(server && source && cluster);
    const target = { endpoint: server.running.endpoint, credentials: server.running.rootKey, registryPort, account: server.running.config.accountId, registryHost: cluster.gateway };
    return copyToBuiltInRegistry(target, `${source.host}/${repository}:${tag}`, repository, tag);
  };

  const scaling = async (name: string, minSize: number, maxSize: number, maxConcurrency: number): Promise<string> => {
    const out = await client().send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: name, MinSize: minSize, MaxSize: maxSize, MaxConcurrency: maxConcurrency }));
    return out.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
  };

  const create = async (name: string, identifier: string, asc: string): Promise<Service> => {
    const out = await client().send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          // As on App Runner: an ECR image is pulled with an access role.
          AuthenticationConfiguration: { AccessRoleArn: await ensureEcrAccessRole(server?.running.endpoint ?? "", server?.running.rootKey ?? { accessKeyId: "", secretAccessKey: "" }) },
          ImageRepository: { ImageIdentifier: identifier, ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        AutoScalingConfigurationArn: asc,
      }),
    );
    assert.ok(out.Service?.ServiceArn);
    services.push(out.Service);
    return waitForStatus(client(), out.Service.ServiceArn, "RUNNING", 180_000);
  };

  /** Serving, healthy instances of the service, with their nodes. */
  const serving = (serviceId: string) => driver().instances(serviceId).filter((i) => i.serving && i.healthy);

  before(async () => {
    cluster = await startSwarmCluster();
    source = await startRegistry();
    [httpPort, registryPort] = [await freePort(), await freePort()];
    server = await startInProcess({
      localRuntime: {
        addressBlock: randomAddressBlock(),
        imagePollMs: 0,
        codePollMs: 0,
        stopGraceMs: 1000,
        router: { httpPort, httpsPort: 0 },
        autoscaleWindows: { stableWindowSeconds: 8, scaleDownDelayMs: 2000 },
        swarm: { dockerHost: cluster.manager.endpoint },
      },
      registry: { port: registryPort, host: cluster.gateway },
      logger: (message, fields) => serverLog.push(`${message} ${JSON.stringify(fields ?? {})}`),
    });
    await Promise.all([pushHelloApp(source.host, "hello", "v1", "v1"), pushConcurrencyApp(source.host, "slow", "1")]);
  });

  after(async () => {
    for (const s of services) await server?.client.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn })).catch(() => undefined);
    try {
      await server?.close();
    } finally {
      try {
        await cluster?.stop();
      } finally {
        await source?.stop();
      }
    }
  });

  it("an image from the built-in registry runs one task on each node and answers at its ServiceUrl", async () => {
    const identifier = await inBuiltInRegistry("hello", "v1");
    const service = await create("spread", identifier, await scaling("three", 3, 3, 100));
    const instances = await eventually(async () => {
      const now = serving(service.ServiceId ?? "");
      return now.length === 3 ? now : undefined;
    }, 60_000, 250);
    assert.deepEqual(instances.map((i) => i.node).sort(), cluster?.nodes.map((n) => n.name).sort(), "spread: one task per node");
    for (let i = 0; i < 6; i++) {
      const r = await viaRouter({ port: httpPort, host: service.ServiceUrl ?? "" });
      assert.equal(r.status, 200);
      assert.equal(r.body.trim(), "v1");
    }
  });

  it("scales out under a load step to more replicas and back in when it ends, without a failed request", async () => {
    const identifier = await inBuiltInRegistry("slow", "1");
    const service = await create("bursty", identifier, await scaling("burst", 1, 3, 2));
    const id = service.ServiceId ?? "";
    const heavy = loadLoop({ port: httpPort, host: service.ServiceUrl ?? "", path: "/cgi-bin/slow", clients: 8 });
    try {
      await eventually(async () => (serving(id).length >= 3 ? true : undefined), 90_000, 250);
    } finally {
      await heavy.stop();
    }
    await eventually(async () => (driver().instances(id).length === 1 ? true : undefined), 120_000, 250);
    assert.deepEqual(heavy.failures, [], serverLog.slice(-20).join("\n"));
    assert.ok(heavy.ok > 0);
  });

  it("a node that dies under load: Swarm reschedules its task on the others and no request fails", async () => {
    const identifier = await inBuiltInRegistry("hello", "v1");
    const service = await create("sturdy", identifier, await scaling("sturdy", 3, 3, 100));
    const id = service.ServiceId ?? "";
    await eventually(async () => (serving(id).length === 3 ? true : undefined), 60_000, 250);
    const victim = cluster?.nodes.find((n) => n.role === "worker")?.name ?? "";
    assert.ok(victim);
    const load = loadLoop({ port: httpPort, host: service.ServiceUrl ?? "", path: "/", clients: 4 });
    try {
      await cluster?.stopNode(victim);
      const back = await eventually(async () => {
        const now = serving(id);
        return now.length === 3 && now.every((i) => i.node !== victim) ? now : undefined;
      }, 120_000, 250);
      assert.equal(back.length, 3);
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, [], serverLog.slice(-30).join("\n"));
    assert.ok(load.ok > 0);
  });
});
