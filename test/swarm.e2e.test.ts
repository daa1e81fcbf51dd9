/**
 * `openrunner up --runtime swarm` against a real single-node swarm (a private dockerd of this
 * test, swarm init on 127.0.0.1), driven as a user does with the AWS SDK: an image from the
 * built-in registry and a source-code service run as Swarm services and answer at their
 * ServiceUrl through the data plane; their tasks' output reaches instance/<task-id>; an update
 * to a crashing image rolls back with no failed request; a control plane killed with SIGKILL
 * leaves the service serving and, started again, adopts it instead of starting a duplicate.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateServiceCommand, DeleteServiceCommand, UpdateServiceCommand, type AppRunnerClient, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { pushCrashingApp, pushHelloApp } from "./support/app-images.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { dockerdSkipReason, startPrivateDockerd, type PrivateDockerd } from "./support/dockerd.js";
import { makeRepo, removeRepo, type TestRepo } from "./support/git-server.js";
import { credentialsIn, eventually } from "./support/harness.js";
import { ensureEcrAccessRole } from "./support/ecr-access-role.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { LocalServer, runtimePrefix } from "./support/local-server.js";
import { PYTHON_HELLO, pythonHelloService, TEST_RUNTIMES_DIR } from "./support/python-hello.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { loadLoop } from "./support/router-client.js";
import { waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const BUILD_MS = 15 * 60_000;

interface SwarmServiceSummary {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> };
}

describe("openrunner up --runtime swarm (single-node swarm)", { timeout: 25 * 60_000, skip: dockerdSkipReason() || skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  let dockerd: PrivateDockerd | undefined;
  let srv: LocalServer;
  let client: AppRunnerClient;
  let logs: CloudWatchLogsClient;
  let registry: TestRegistry | undefined;
  let repo: TestRepo | undefined;
  const services: Service[] = [];

  /** The Swarm services this data directory's control plane owns. */
  const swarmServices = async (): Promise<SwarmServiceSummary[]> => {
    const owner = runtimePrefix(srv.data.dir);
    const filters = JSON.stringify({ label: [`openrunner.owner=${owner}`] });
    return (await dockerd?.api.call<SwarmServiceSummary[]>({ path: "/services", query: { filters } })) ?? [];
  };
  const ofService = async (serviceId: string): Promise<SwarmServiceSummary[]> => (await swarmServices()).filter((s) => s.Spec.Labels?.["openrunner.service-id"] === serviceId);

  const create = async (name: string, identifier: string, type: "ECR" | "ECR_PUBLIC"): Promise<Service> => {
    const out = await client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          // As on App Runner: an ECR image is pulled with an access role.
          ...(type === "ECR" ? { AuthenticationConfiguration: { AccessRoleArn: await ensureEcrAccessRole(srv.current?.server.endpoint ?? "", credentialsIn(srv.data.dir)) } } : {}),
          ImageRepository: { ImageIdentifier: identifier, ImageRepositoryType: type, ImageConfiguration: { Port: "8080" } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    assert.ok(out.Service?.ServiceArn);
    services.push(out.Service);
    return waitForStatus(client, out.Service.ServiceArn, "RUNNING", 180_000);
  };

  before(async () => {
    dockerd = await startPrivateDockerd({ swarm: true });
    srv = new LocalServer("openrunner-swarm-", {
      registry: true,
      extraArgs: ["--runtime", "swarm", "--docker-host", dockerd.socket, "--runtimes-dir", TEST_RUNTIMES_DIR, "--code-poll-seconds", "0"],
    });
    client = await srv.start();
    logs = new CloudWatchLogsClient({ endpoint: srv.current?.server.endpoint ?? "", region: "us-east-1", credentials: credentialsIn(srv.data.dir) });
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "v1", "v1"), pushHelloApp(registry.host, "hello", "v2", "v2"), pushCrashingApp(registry.host, "crash", "1")]);
  });

  after(async () => {
    logs?.destroy();
    for (const s of services) if (srv?.current) await client.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn })).catch(() => undefined);
    try {
      await srv?.cleanup();
    } finally {
      try {
        await dockerd?.stop();
      } finally {
        await registry?.stop();
        if (repo) removeRepo(repo);
      }
    }
  });

  it("an image pushed to the built-in registry runs as a Swarm service and answers at its ServiceUrl; its output reaches instance/<task-id>", async () => {
    const identifier = await copyToBuiltInRegistry(srv, `${registry?.host}/hello:v1`, "hello", "latest");
    const service = await create("swarm-hello", identifier, "ECR");
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "v1");
    const [swarmService, ...more] = await ofService(service.ServiceId ?? "");
    assert.ok(swarmService, "one Swarm service for the deployment");
    assert.deepEqual(more, []);
    const group = `/aws/apprunner/${service.ServiceName}/${service.ServiceId}/application`;
    const stream = await eventually(async () => {
      const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      return streams.find((s) => /^instance\/[0-9a-z]{25}$/.test(s.logStreamName ?? ""))?.logStreamName;
    }, 30_000, 250);
    const events = await eventually(async () => {
      const out = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
      const lines = (out.events ?? []).map((e) => e.message ?? "");
      return lines.some((l) => l.includes("hello app starting on port 8080")) ? lines : undefined;
    }, 30_000, 250);
    assert.ok(events.length > 0);
  });

  it("an update to a crashing image fails and rolls back: the running version keeps answering, no request fails", async () => {
    const service = await create("swarm-rollback", `${registry?.host}/hello:v1`, "ECR_PUBLIC");
    const host = service.ServiceUrl ?? "";
    const load = loadLoop({ port: srv.httpPort, host, path: "/", clients: 2 });
    try {
      const update = await client.send(
        new UpdateServiceCommand({
          ServiceArn: service.ServiceArn,
          SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry?.host}/crash:1`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } } },
        }),
      );
      const op = await waitForOperation(client, service.ServiceArn ?? "", update.OperationId ?? "", 180_000);
      assert.equal(op.Status, "ROLLBACK_SUCCEEDED");
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, []);
    assert.ok(load.ok > 0);
    assert.equal((await srv.via(host)).body, "v1");
    // The failed deployment's Swarm service is gone; the serving one stays.
    await eventually(async () => ((await ofService(service.ServiceId ?? "")).length === 1 ? true : undefined), 60_000, 250);
  });

  it("a source-code service is built here, kept in the built-in registry and runs on the swarm", { timeout: BUILD_MS }, async () => {
    repo = makeRepo(PYTHON_HELLO);
    const out = await client.send(new CreateServiceCommand(pythonHelloService("swarm-python", repo.dir, "swarm")));
    assert.ok(out.Service?.ServiceArn);
    services.push(out.Service);
    const service = await waitForStatus(client, out.Service.ServiceArn, "RUNNING", BUILD_MS);
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "Hello, swarm! (v1)");
    const [swarmService] = await ofService(service.ServiceId ?? "");
    assert.ok(swarmService);
    const spec = await dockerd?.api.call<{ Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } }>({ path: `/services/${swarmService.ID}` });
    assert.match(spec?.Spec.TaskTemplate.ContainerSpec.Image ?? "", new RegExp(`^127\\.0\\.0\\.1:${srv.registryPort}/apprunner/swarm-python/${service.ServiceId}@sha256:[0-9a-f]{64}$`));
  });

  it("a control plane killed with SIGKILL leaves the service serving; started again, it adopts the Swarm service instead of starting another", async () => {
    const service = await create("swarm-adopted", `${registry?.host}/hello:v2`, "ECR_PUBLIC");
    const host = service.ServiceUrl ?? "";
    const before = (await ofService(service.ServiceId ?? "")).map((s) => s.ID);
    assert.equal(before.length, 1);
    await srv.stop("SIGKILL");
    // The data plane (HAProxy) and the tasks outlive the control plane.
    assert.equal((await srv.via(host)).body, "v2");
    client = await srv.start();
    await waitForStatus(client, service.ServiceArn ?? "", "RUNNING", 60_000);
    assert.equal((await srv.via(host)).body, "v2");
    assert.deepEqual((await ofService(service.ServiceId ?? "")).map((s) => s.ID), before);
  });
});
