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
import type { ServiceRoute } from "../src/router/types.js";
import { pushConcurrencyApp, pushHelloApp } from "./support/app-images.js";
import { EdgeRouterProcess, updateThroughEdge } from "./support/edge-router.js";
import { eventually } from "./support/harness.js";
import { LocalServer } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, loadLoop } from "./support/router-client.js";
import { waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const image = (ref: string) => ({ AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: ref, ImageRepositoryType: "ECR_PUBLIC" as const, ImageConfiguration: { Port: "8080" } } });

describe("edge routers: HAProxy on another machine follows the control plane's routes and keeps serving without it", () => {
  const srv = new LocalServer("openrunner-edge-");
  let edge: EdgeRouterProcess | undefined;
  let registry: TestRegistry;

  before(async () => {
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "alpha", "alpha"), pushHelloApp(registry.host, "hello", "beta", "beta"), pushConcurrencyApp(registry.host, "slow", "1")]);
  });

  after(async () => {
    try {
      await edge?.cleanup();
    } finally {
      try {
        await srv.cleanup();
      } finally {
        await registry?.stop();
      }
    }
  });

  const create = async (client: AppRunnerClient, name: string, ref: string, asc?: string): Promise<{ arn: string; host: string; id: string }> => {
    const out = await client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: image(ref), ...(asc ? { AutoScalingConfigurationArn: asc } : {}) }));
    const arn = out.Service?.ServiceArn ?? "";
    await waitForStatus(client, arn, "RUNNING", 120_000);
    return { arn, host: out.Service?.ServiceUrl ?? "", id: out.Service?.ServiceId ?? "" };
  };

  it("serves every service through the edge, through a blue/green update, scales out from load the edge alone takes, 404s a deleted service, and serves on with the control plane killed", async () => {
    try {
      await scenario();
    } catch (err) {
      // What both processes said, for a failed run.
      process.stderr.write(`edge router output:\n${edge?.output() ?? ""}\ncontrol plane output:\n${srv.current?.server.output() ?? ""}\n`);
      throw err;
    }
  });

  async function scenario(): Promise<void> {
    const client = await srv.start();
    const endpoint = srv.current?.server.endpoint ?? "";
    edge = new EdgeRouterProcess({ controlPlane: endpoint, tokenFile: join(srv.data.dir, "data-plane.token"), httpPort: await freePort(), name: "edge-test" });
    await edge.start();
    const edgeRoute = (serviceId: string): ServiceRoute | undefined =>
      (JSON.parse(readFileSync(join(edge?.dir ?? "", "routes.json"), "utf8")) as { routes: ServiceRoute[] }).routes.find((r) => r.serviceId === serviceId);

    // A service created through the SDK answers through the edge router with its ServiceUrl host.
    const web = await create(client, "web-app", `${registry.host}/hello:alpha`);
    await eventually(async () => ((await edge?.via(web.host))?.body === "alpha" ? true : undefined), 20_000, 50);

    // Blue/green: requests through the edge keep succeeding while traffic moves to the new deployment,
    // and the old instances stop only once the edge has left them (no refused connection to retry).
    let operation = "";
    const update = await updateThroughEdge({
      edge,
      serviceId: web.id,
      host: web.host,
      expected: "beta",
      controlPlaneBody: async () => (await srv.via(web.host)).body,
      update: async () => {
        operation = (await client.send(new UpdateServiceCommand({ ServiceArn: web.arn, SourceConfiguration: image(`${registry.host}/hello:beta`) }))).OperationId ?? "";
      },
      done: async () => assert.equal((await waitForOperation(client, web.arn, operation, 120_000)).Status, "SUCCEEDED"),
    });
    console.log(`edge router (local runtime): the new deployment served at the edge ${update.lagMs} ms after the control plane's data plane; ${update.ok} requests through the edge during the update; ${JSON.stringify(update.refused)}`);
    assert.deepEqual(update.failures, [], "no request through the edge failed during the blue/green update");
    assert.ok(update.ok > 0);
    assert.deepEqual(update.refused, { econ: "0", wretr: "0", wredis: "0" }, "no connection to a stopped instance");
    assert.equal((await edge.via(web.host)).body, "beta");

    // Load that reaches only the edge router makes the control plane's autoscaler scale out.
    const asc = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "edge-one", MaxConcurrency: 1, MinSize: 1, MaxSize: 3 }));
    const slow = await create(client, "slow-app", `${registry.host}/slow:1`, asc.AutoScalingConfiguration?.AutoScalingConfigurationArn);
    await eventually(async () => ((await edge?.via(slow.host))?.body === "concurrency" ? true : undefined), 20_000, 50);
    const load = loadLoop({ port: edge.port, host: slow.host, path: "/cgi-bin/slow", clients: 4 });
    try {
      await eventually(async () => ((edgeRoute(slow.id)?.instances.length ?? 0) >= 2 ? true : undefined), 60_000, 100);
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, []);

    // A deleted service answers 404 at the edge.
    await client.send(new DeleteServiceCommand({ ServiceArn: web.arn }));
    await eventually(async () => ((await edge?.via(web.host))?.status === 404 ? true : undefined), 60_000, 100);

    // The control plane dies: the edge keeps serving what it had, through several missed polls.
    await srv.stop("SIGKILL");
    for (let i = 0; i < 10; i++) {
      assert.equal((await edge.via(slow.host)).body, "concurrency");
      await new Promise((r) => setTimeout(r, 400));
    }
    assert.match(edge.output(), /control plane cannot be reached/);

    // Restarted while the control plane is still down, it serves from the routes it kept.
    const haproxy = edge.haproxyPid();
    await edge.stop("SIGTERM");
    assert.equal(edge.haproxyPid(), 0, "SIGTERM stopped its HAProxy (pid file gone)");
    assert.throws(() => process.kill(haproxy, 0), "its HAProxy master exited");
    await edge.start();
    assert.equal((await edge.via(slow.host)).body, "concurrency");
    assert.equal((await edge.via(web.host)).status, 404);
  }
});
