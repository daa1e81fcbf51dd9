import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ListServicesCommand,
  type AppRunnerClient,
  type HealthCheckConfiguration,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServiceRoute } from "../src/router/types.js";
import { pushHelloApp, pushSlowStartApp } from "./support/app-images.js";
import { eventually } from "./support/harness.js";
import { containerPid, LocalServer } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { recordedInstances, waitForStatus } from "./support/runtime-fixture.js";

/** The app process of an instance: PID 1 is the exit recorder, the app its only child. */
function appPid(containerId: string): number {
  const init = containerPid(containerId);
  const [child] = readFileSync(`/proc/${init}/task/${init}/children`, "utf8").trim().split(/\s+/);
  return Number(child);
}

describe("a deleted service's hosts answer 404 for good", () => {
  const srv = new LocalServer("openrunner-route-ownership-");
  let registry: TestRegistry;

  before(async () => {
    registry = await startRegistry();
    await pushSlowStartApp(registry.host, "slow", "latest", 7);
    await pushHelloApp(registry.host, "hello", "latest", "other service");
  });

  after(async () => {
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
    }
  });

  const create = async (client: AppRunnerClient, name: string, image: string, extra: { asc?: string; health?: HealthCheckConfiguration } = {}): Promise<{ arn: string; host: string; id: string }> => {
    const out = await client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } } },
        ...(extra.asc ? { AutoScalingConfigurationArn: extra.asc } : {}),
        ...(extra.health ? { HealthCheckConfiguration: extra.health } : {}),
      }),
    );
    const arn = out.Service?.ServiceArn ?? "";
    await waitForStatus(client, arn, "RUNNING", 120_000);
    return { arn, host: out.Service?.ServiceUrl ?? "", id: out.Service?.ServiceId ?? "" };
  };

  it("DeleteService while a crashed instance's slow replacement turns healthy: 404, also once its address serves another service, and after a restart", async () => {
    let client = await srv.start();
    const asc = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "three", MinSize: 3, MaxSize: 3 }));
    const health = { Protocol: "HTTP" as const, Path: "/", Interval: 1, Timeout: 1, HealthyThreshold: 1, UnhealthyThreshold: 2 };
    const doomed = await create(client, "doomed", `${registry.host}/slow:latest`, { asc: asc.AutoScalingConfiguration?.AutoScalingConfigurationArn, health });
    assert.equal((await srv.via(doomed.host)).body, "slow");
    const [a, b, c] = recordedInstances(srv.data.dir, srv.block).filter((i) => i.serviceId === doomed.id);
    assert.ok(a && b && c);

    // A crashes; its replacement listens only 7 s after it starts.
    execFileSync("runc", ["kill", a.containerId, "KILL"]);
    await eventually(async () => (recordedInstances(srv.data.dir, srv.block).some((i) => i.serviceId === doomed.id && ![a, b, c].some((o) => o.instanceId === i.instanceId)) ? true : undefined), 30_000);
    // B and C hang (and so ignore SIGTERM): each is taken out of the route, then stopped after its 5 s grace, one after the other.
    for (const i of [b, c]) process.kill(appPid(i.containerId), "SIGSTOP");
    const routeOf = (): ServiceRoute | undefined =>
      (JSON.parse(readFileSync(join(srv.data.dir, "router", "routes.json"), "utf8")) as { routes: ServiceRoute[] }).routes.find((r) => r.serviceId === doomed.id);
    await eventually(async () => (routeOf()?.instances.some((i) => i.id === b.instanceId) === false ? true : undefined), 30_000);

    // DeleteService now, while the replacement is about to turn healthy.
    await client.send(new DeleteServiceCommand({ ServiceArn: doomed.arn }));
    await eventually(async () => ((await client.send(new ListServicesCommand({}))).ServiceSummaryList?.some((s) => s.ServiceArn === doomed.arn) ? undefined : true), 60_000, 200);
    assert.equal((await srv.via(doomed.host)).status, 404);
    assert.equal(routeOf(), undefined, "routes.json keeps no route of the deleted service");

    // The next service takes the freed addresses; the deleted host still answers 404.
    const other = await create(client, "other", `${registry.host}/hello:latest`);
    assert.equal((await srv.via(other.host)).body, "other service");
    assert.equal((await srv.via(doomed.host)).status, 404);

    await srv.stop("SIGTERM");
    client = await srv.start();
    await eventually(async () => ((await srv.via(other.host)).body === "other service" ? true : undefined), 30_000, 100);
    assert.equal((await srv.via(doomed.host)).status, 404);
    await client.send(new DeleteServiceCommand({ ServiceArn: other.arn }));
    await eventually(async () => (recordedInstances(srv.data.dir, srv.block).length === 0 ? true : undefined), 30_000, 100);
  });
});
