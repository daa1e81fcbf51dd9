/**
 * An edge router in front of `openrunner up --runtime swarm` (a private single-node swarm on
 * 127.0.0.1): the edge reaches the Swarm tasks at their node's address and published port as
 * the control plane's data plane does, follows a blue/green update with no failed request and
 * no connection to a removed task, answers 404 for a deleted service and keeps serving with the
 * control plane killed.
 */
import { CreateServiceCommand, DeleteServiceCommand, UpdateServiceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "./support/app-images.js";
import { dockerdSkipReason, startPrivateDockerd, type PrivateDockerd } from "./support/dockerd.js";
import { EdgeRouterProcess, updateThroughEdge } from "./support/edge-router.js";
import { eventually } from "./support/harness.js";
import { LocalServer } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const source = (ref: string) => ({ AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: ref, ImageRepositoryType: "ECR_PUBLIC" as const, ImageConfiguration: { Port: "8080" } } });

describe("edge router in front of a swarm", { timeout: 10 * 60_000, skip: dockerdSkipReason() }, () => {
  let dockerd: PrivateDockerd | undefined;
  let srv: LocalServer | undefined;
  let edge: EdgeRouterProcess | undefined;
  let registry: TestRegistry | undefined;

  before(async () => {
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "v1", "v1"), pushHelloApp(registry.host, "hello", "v2", "v2")]);
    dockerd = await startPrivateDockerd({ swarm: true });
    srv = new LocalServer("openrunner-edge-swarm-", { extraArgs: ["--runtime", "swarm", "--docker-host", dockerd.socket] });
  });

  after(async () => {
    // Every step runs even when one before it failed; the first failure is reported.
    const failures: unknown[] = [];
    for (const step of [() => edge?.cleanup(), () => srv?.cleanup(), () => dockerd?.stop(), () => registry?.stop()]) {
      await Promise.resolve()
        .then(step)
        .catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw failures[0];
  });

  it("serves Swarm tasks through the edge, through a blue/green update, 404s a deleted service, and serves on with the control plane killed", async () => {
    assert.ok(srv && registry);
    const client: AppRunnerClient = await srv.start();
    edge = new EdgeRouterProcess({ controlPlane: srv.current?.server.endpoint ?? "", tokenFile: join(srv.data.dir, "data-plane.token"), httpPort: await freePort(), name: "edge-swarm" });
    await edge.start();
    const out = await client.send(new CreateServiceCommand({ ServiceName: "edge-swarm-hello", SourceConfiguration: source(`${registry.host}/hello:v1`), InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" } }));
    const arn = out.Service?.ServiceArn ?? "";
    const host = out.Service?.ServiceUrl ?? "";
    await waitForStatus(client, arn, "RUNNING", 180_000);
    await eventually(async () => ((await edge?.via(host))?.body === "v1" ? true : undefined), 20_000, 50);

    let operation = "";
    const update = await updateThroughEdge({
      edge,
      serviceId: out.Service?.ServiceId ?? "",
      host,
      expected: "v2",
      controlPlaneBody: async () => (await (srv as LocalServer).via(host)).body,
      update: async () => {
        operation = (await client.send(new UpdateServiceCommand({ ServiceArn: arn, SourceConfiguration: source(`${registry?.host}/hello:v2`) }))).OperationId ?? "";
      },
      done: async () => assert.equal((await waitForOperation(client, arn, operation, 180_000)).Status, "SUCCEEDED"),
    });
    console.log(`edge router (swarm runtime): the new deployment served at the edge ${update.lagMs} ms after the control plane's data plane; ${update.ok} requests through the edge during the update; ${JSON.stringify(update.refused)}`);
    assert.deepEqual(update.failures, []);
    assert.ok(update.ok > 0);
    assert.deepEqual(update.refused, { econ: "0", wretr: "0", wredis: "0" }, "no connection to a removed task");

    const other = await client.send(new CreateServiceCommand({ ServiceName: "edge-swarm-other", SourceConfiguration: source(`${registry.host}/hello:v1`) }));
    await waitForStatus(client, other.Service?.ServiceArn ?? "", "RUNNING", 180_000);
    await client.send(new DeleteServiceCommand({ ServiceArn: other.Service?.ServiceArn }));
    await eventually(async () => ((await edge?.via(other.Service?.ServiceUrl ?? ""))?.status === 404 ? true : undefined), 60_000, 100);

    await srv.stop("SIGKILL");
    for (let i = 0; i < 8; i++) {
      assert.equal((await edge.via(host)).body, "v2");
      await new Promise((r) => setTimeout(r, 400));
    }
  });
});
