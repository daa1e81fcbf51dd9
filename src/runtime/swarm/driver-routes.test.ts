/**
 * The Swarm driver behind the real data plane: HAProxy (src/router) routes a deployment's
 * ServiceUrl host to its tasks at their node's address and published port, on a private
 * single-node swarm. Blue/green shifts under steady requests with none failing; scaling changes
 * the route; each task's output reaches `instance/<task-id>`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "../../../test/support/app-images.js";
import { dockerdSkipReason } from "../../../test/support/dockerd.js";
import { eventually } from "../../../test/support/harness.js";
import { skipUnlessOnPath } from "../../../test/support/host-tools.js";
import { freePort, viaRouter } from "../../../test/support/router-client.js";
import { startSwarmDriver, type SwarmDriverSetup } from "../../../test/support/swarm-driver.js";
import { newResourceId } from "../../domain/arns.js";
import { HaproxyRouter } from "../../router/router.js";
import type { ServiceRoute, TrafficRouter } from "../../router/types.js";
import { cryptoRandom } from "../../util/random.js";
import type { DeploymentImage, DeploymentSpec, DriverContext } from "../driver.js";
import { filters, type SwarmTask } from "./engine-types.js";
import { engineUsage } from "./task-usage.js";
import { LABELS } from "./types.js";

const skip = dockerdSkipReason() || skipUnlessOnPath("haproxy");
const hostOf = (serviceId: string): string => `${serviceId.slice(0, 10)}.us-east-1.openrunner.test`;
const ctx = (): DriverContext => ({ log: () => undefined, signal: new AbortController().signal });

/** Requests one after another through the router until stopped; every status it got. */
function steadyLoad(port: number, host: string): { stop: () => Promise<string[]> } {
  const outcomes: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const r = await viaRouter({ port, host, timeoutMs: 10_000 });
        outcomes.push(r.status === 200 ? r.body.trim() : `status ${r.status}`);
      } catch (err) {
        outcomes.push(`error ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return outcomes;
    },
  };
}

describe("Swarm driver behind HAProxy", { skip }, () => {
  let routerDir = "";
  let router: HaproxyRouter | undefined;
  let setup: SwarmDriverSetup | undefined;
  let httpPort = 0;
  /** Every route the driver gave the router, last one per service. */
  const applied = new Map<string, ServiceRoute>();

  before(async () => {
    routerDir = await mkdtemp(join(tmpdir(), "openrunner-swarm-routes-"));
    httpPort = await freePort();
    const haproxy = new HaproxyRouter({ routerDir, httpPort, httpsPort: 0, region: "us-east-1", baseDomain: "openrunner.test", logger: () => undefined });
    router = haproxy;
    await haproxy.start();
    const recording: TrafficRouter = {
      apply: async (route) => {
        applied.set(route.serviceId, route);
        await haproxy.apply(route);
      },
      drain: (serviceId, ids, timeoutMs) => haproxy.drain(serviceId, ids, timeoutMs),
      failed: (serviceId, ids) => haproxy.failed(serviceId, ids),
      remove: (serviceId) => haproxy.remove(serviceId),
      load: () => haproxy.load(),
    };
    setup = await startSwarmDriver({ router: recording });
  });

  after(async () => {
    try {
      await setup?.stop();
    } finally {
      await router?.stop();
      await rm(routerDir, { recursive: true, force: true });
    }
  });

  const image = async (version: string): Promise<DeploymentImage> => {
    assert.ok(setup);
    const pushed = await pushHelloApp(setup.registry.host, "routes/hello", version, version);
    return { identifier: `${setup.registry.host}/routes/hello:${version}`, digest: pushed.digest };
  };
  const specFor = async (serviceId: string, version: string): Promise<DeploymentSpec> => ({
    serviceId,
    serviceName: "routed",
    serviceArn: `arn:aws:apprunner:us-east-1:000000000000:service/routed/${serviceId}`,
    deploymentId: newResourceId(cryptoRandom),
    operationId: newResourceId(cryptoRandom),
    image: await image(version),
    run: { Port: "8080" },
    instance: { Cpu: "256", Memory: "512" },
    healthCheck: { Protocol: "HTTP", Path: "/", Interval: 1, Timeout: 2, HealthyThreshold: 1, UnhealthyThreshold: 3 },
    autoScaling: { minSize: 1, maxSize: 3, maxConcurrency: 10 },
    hosts: [hostOf(serviceId)],
    tracing: false,
  });
  const rollout = async (s: DeploymentSpec): Promise<void> => {
    assert.ok(setup);
    const ref = { serviceId: s.serviceId, deploymentId: s.deploymentId };
    await setup.driver.deploy(s, ctx());
    await setup.driver.waitHealthy(ref, ctx());
    await setup.driver.shiftTraffic(ref, ctx());
  };
  const bodyOf = async (serviceId: string): Promise<string> => (await viaRouter({ port: httpPort, host: hostOf(serviceId) })).body.trim();

  it("serves the ServiceUrl host through HAProxy, shifts blue to green with no failed request, and scales 1 -> 2 -> 1", async () => {
    assert.ok(setup);
    const { driver } = setup;
    const serviceId = newResourceId(cryptoRandom);
    const host = hostOf(serviceId);
    const spec = (version: string): Promise<DeploymentSpec> => specFor(serviceId, version);
    const body = (): Promise<string> => bodyOf(serviceId);

    const blue = await spec("v1");
    await rollout(blue);
    assert.equal(await body(), "v1");
    const [task] = driver.instances(serviceId);
    assert.ok(task);
    await eventually(async () => (setup?.appLines.includes(`instance/${task.instanceId}: hello app starting on port 8080`) ? true : undefined), 30_000);

    const load = steadyLoad(httpPort, host);
    const green = await spec("v2");
    await rollout(green);
    await driver.retire({ serviceId, deploymentId: blue.deploymentId }, ctx());
    await eventually(async () => ((await body()) === "v2" ? true : undefined), 30_000);
    const outcomes = await load.stop();
    assert.deepEqual(outcomes.filter((o) => o !== "v1" && o !== "v2"), [], "no request failed while traffic shifted");
    assert.ok(outcomes.includes("v2"), "green served under load");

    // CPU and memory of a serving task on this node, relative to its configured size.
    const [sampled] = driver.sampledInstances().filter((i) => i.serviceId === serviceId);
    assert.ok(sampled?.containerRef, "a task on the manager's node has a container to read");
    assert.deepEqual([sampled.cpuMillicores, sampled.memoryBytes], [250, 512 * 1024 * 1024]);
    const usage = await engineUsage(setup.dockerd.api)(sampled.containerRef);
    assert.ok(usage.cpuNanos > 0 && usage.memoryBytes > 0, JSON.stringify(usage));
    assert.equal(usage.memoryLimitBytes, 512 * 1024 * 1024);

    await driver.scale(serviceId, 2, "test");
    const two = await eventually(async () => {
      const r = applied.get(serviceId);
      return r && r.instances.length === 2 ? r : undefined;
    }, 60_000);
    // An instance counts as serving once the router has answered for its route, a moment after the route was sent.
    const servingIds = (): string[] => driver.instances(serviceId).filter((i) => i.serving).map((i) => i.instanceId).sort();
    await eventually(async () => (servingIds().length === 2 ? true : undefined), 10_000);
    assert.deepEqual(servingIds(), two.instances.map((i) => i.id).sort());
    for (let i = 0; i < 4; i++) assert.equal(await body(), "v2");

    // Swarm picks the task a scale-in stops; HAProxy retries a refused connection on the other one.
    const scaleInLoad = steadyLoad(httpPort, host);
    await driver.scale(serviceId, 1, "test");
    await eventually(async () => (applied.get(serviceId)?.instances.length === 1 ? true : undefined), 60_000);
    const scaleIn = await scaleInLoad.stop();
    assert.deepEqual(scaleIn.filter((o) => o !== "v2"), [], "no request failed while scaling in");
    assert.equal(driver.scalingView().find((v) => v.serviceId === serviceId)?.current, 1);

    await driver.delete(serviceId, ctx());
    assert.equal((await viaRouter({ port: httpPort, host })).status, 404, "a deleted service's host answers 404");
  });

  it("a task that exits is told in the service's events and replaced in the route", async () => {
    assert.ok(setup);
    const { driver, dockerd } = setup;
    const serviceId = newResourceId(cryptoRandom);
    await rollout(await specFor(serviceId, "v1"));
    const [first] = driver.instances(serviceId);
    assert.ok(first);
    const task = await dockerd.api.call<SwarmTask>({ path: `/tasks/${first.instanceId}` });
    await dockerd.api.call({ method: "POST", path: `/containers/${task.Status.ContainerStatus?.ContainerID}/kill`, query: { signal: "KILL" } });
    await eventually(async () => (setup?.events.includes(`${serviceId}: Instance ${first.instanceId} exited with code 137 (signal 9). Swarm starts a replacement.`) ? true : undefined), 30_000);
    const replaced = await eventually(async () => {
      const ids = applied.get(serviceId)?.instances.map((i) => i.id) ?? [];
      return ids.length === 1 && ids[0] !== first.instanceId ? ids : undefined;
    }, 60_000);
    assert.deepEqual(driver.instances(serviceId).map((i) => i.instanceId), replaced);
    await eventually(async () => ((await bodyOf(serviceId)) === "v1" ? true : undefined), 30_000);
    await driver.delete(serviceId, ctx());
  });

  it("a control plane that stops leaves the service serving; the next one adopts its tasks instead of starting others", async () => {
    assert.ok(setup);
    const serviceId = newResourceId(cryptoRandom);
    const spec = await specFor(serviceId, "v1");
    await rollout(spec);
    const before = setup.driver.instances(serviceId).map((i) => i.instanceId);
    await setup.driver.stop();
    for (let i = 0; i < 3; i++) assert.equal(await bodyOf(serviceId), "v1", "served while no control plane runs");
    const driver = await setup.restart();
    assert.deepEqual(driver.instances(serviceId).map((i) => [i.instanceId, i.serving]), before.map((id) => [id, true]), "the same tasks, serving from the first pass");
    // The engine repeats the step it was in: the same deployment converges instead of starting twice.
    await rollout(spec);
    const services = await setup.dockerd.api.call<unknown[]>({ path: "/services", query: { filters: filters({ label: [`${LABELS.serviceId}=${serviceId}`] }) } });
    assert.equal(services.length, 1);
    assert.deepEqual(driver.instances(serviceId).map((i) => i.instanceId), before);
    assert.equal(driver.scalingView().find((v) => v.serviceId === serviceId)?.current, 1);
    assert.equal(await bodyOf(serviceId), "v1");
    await driver.delete(serviceId, ctx());
  });
});
