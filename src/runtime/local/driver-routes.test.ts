/**
 * Route publication against DeleteService, with the real driver, real images and containers,
 * and a router that records what it is told: its remove() is held open, as a real HAProxy
 * reload takes time, so an instance can turn healthy in between deterministically.
 * Needs root, runc and a static /bin/busybox; skipped otherwise.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { pushSlowStartApp } from "../../../test/support/app-images.js";
import { eventually } from "../../../test/support/harness.js";
import { makeLocalDriver, pullImage, tearDownLocalDriver, type LocalDriverSetup } from "../../../test/support/local-driver.js";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import type { BackendLoad, ServiceRoute, TrafficRouter } from "../../router/types.js";
import type { DriverContext } from "../driver.js";
import { newService, specFor } from "../conformance.js";

const run = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
const skip = canRun ? false : "needs root, runc and /bin/busybox";

/** Records the routes it is told; remove() can be held open. */
class RecordingRouter implements TrafficRouter {
  readonly routes = new Map<string, ServiceRoute>();
  readonly removed: string[] = [];
  private gate: Promise<void> | undefined;

  holdRemove(): () => void {
    let release: () => void = () => undefined;
    this.gate = new Promise((ok) => (release = ok));
    return release;
  }

  async apply(route: ServiceRoute): Promise<void> {
    this.routes.set(route.serviceId, route);
  }

  async drain(serviceId: string, instanceIds: readonly string[]): Promise<void> {
    const r = this.routes.get(serviceId);
    if (r) this.routes.set(serviceId, { ...r, instances: r.instances.filter((i) => !instanceIds.includes(i.id)) });
  }

  async failed(): Promise<void> {
    // Taking a dead instance out of rotation changes no route.
  }

  async remove(serviceId: string): Promise<void> {
    // As HAProxyRouter: the route is gone at once, the reload takes its time.
    this.routes.delete(serviceId);
    this.removed.push(serviceId);
    await this.gate;
  }

  async load(): Promise<BackendLoad[]> {
    return [];
  }
}

const ctx = (): DriverContext => ({ log: () => undefined, signal: new AbortController().signal });

describe("route publication and DeleteService (local driver)", { skip }, () => {
  let dataDir = "";
  let registry: TestRegistry | undefined;
  let setup: LocalDriverSetup | undefined;
  const router = new RecordingRouter();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "openrunner-driver-routes-"));
    registry = await startRegistry();
    await pushSlowStartApp(registry.host, "slow", "v1", 2);
    setup = makeLocalDriver(dataDir, { router });
    await setup.driver.start();
  });

  after(() => tearDownLocalDriver(setup, registry, dataDir));

  it("an instance that turns healthy while the route is being removed does not bring it back, also after a restart", async () => {
    const driver = setup?.driver;
    assert.ok(driver && registry && setup);
    const spec = specFor(newService(), await pullImage(setup.images, `${registry.host}/slow:v1`));
    const { serviceId } = spec;
    const ref = { serviceId, deploymentId: spec.deploymentId };
    await driver.deploy(spec, ctx());
    await driver.waitHealthy(ref, ctx());
    await driver.shiftTraffic(ref, ctx());
    const [first] = driver.instances(serviceId);
    assert.ok(first);
    assert.deepEqual(router.routes.get(serviceId)?.instances.map((i) => i.id), [first.instanceId]);

    // The app crashes; its replacement takes two seconds to listen.
    await run("runc", ["kill", first.containerId, "KILL"]);
    const replacement = await eventually(async () => driver.instances(serviceId).find((i) => i.instanceId !== first.instanceId), 30_000);
    assert.equal(replacement.healthy, false);

    // DeleteService while the replacement starts: the route goes at once, the reload takes its time.
    const release = router.holdRemove();
    const deleting = driver.delete(serviceId, ctx());
    await eventually(async () => (router.removed.includes(serviceId) ? true : undefined));
    await eventually(async () => (driver.instances(serviceId).find((i) => i.instanceId === replacement.instanceId)?.healthy ? true : undefined), 30_000);
    release();
    await deleting;
    assert.equal(router.routes.get(serviceId), undefined, "the deleted service's hosts answer 404");
    assert.deepEqual(driver.instances(serviceId), []);

    // A route such a race left in routes.json before the fix is dropped by the next start.
    const leftover: ServiceRoute = {
      serviceId,
      serviceName: "deleted",
      hosts: ["deleted.example"],
      state: "serving",
      maxConcurrency: 100,
      instances: [{ id: replacement.instanceId, address: replacement.address, port: replacement.port }],
    };
    const restartedRouter = new RecordingRouter();
    restartedRouter.routes.set(serviceId, leftover);
    const restarted = makeLocalDriver(dataDir, { router: restartedRouter, persistedRoutes: () => [leftover], serviceExists: () => false }, setup.layout);
    await restarted.driver.start();
    await restarted.driver.stop();
    assert.deepEqual(restartedRouter.removed, [serviceId]);
    assert.equal(restartedRouter.routes.get(serviceId), undefined);
  });
});
