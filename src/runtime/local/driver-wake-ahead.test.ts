/**
 * The next instance a service at zero keeps made ahead (issue 20), in each wake-ahead state, when
 * OpenRunner dies with it and starts again over the same directory: the new start finds it by its
 * record (phase "creating") and removes it like any half-made instance, and the service still
 * wakes. Real driver, image, containers and networks. Needs root, runc and a static /bin/busybox.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "../../../test/support/app-images.js";
import { eventually } from "../../../test/support/harness.js";
import { makeLocalDriver, pullImage, tearDownLocalDriver, type LocalDriverSetup } from "../../../test/support/local-driver.js";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import type { DriverContext } from "../driver.js";
import { newService, specFor } from "../conformance.js";
import { WAKE_AHEAD_STATES } from "./instance-lifecycle.js";

const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
const skip = canRun ? false : "needs root, runc and /bin/busybox";
const ctx = (): DriverContext => ({ log: () => undefined, signal: new AbortController().signal });

/** Does runc know this container? */
function runcKnows(containerId: string): boolean {
  try {
    execFileSync("runc", ["state", containerId], { stdio: "ignore" });
    return true;
  } catch {
    return false; // Not (or no longer) a runc container.
  }
}

/** Instance dirs whose record says "creating" (made ahead, or half-made). */
function creating(dataDir: string): { instanceId: string; containerId: string }[] {
  const dir = join(dataDir, "runtime", "instances");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((id) => {
    const file = join(dir, id, "instance.json");
    if (!existsSync(file)) return [];
    const r = JSON.parse(readFileSync(file, "utf8")) as { phase: string; containerId: string };
    return r.phase === "creating" && existsSync(join(dir, id, "config.json")) ? [{ instanceId: id, containerId: r.containerId }] : [];
  });
}

for (const state of WAKE_AHEAD_STATES) {
  describe(`an instance made ahead (${state}) across a crash of OpenRunner`, { skip }, () => {
    let dataDir = "";
    let registry: TestRegistry | undefined;
    let setup: LocalDriverSetup | undefined;
    let restarted: LocalDriverSetup | undefined;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), `openrunner-wake-ahead-${state}-`));
      registry = await startRegistry();
      await pushHelloApp(registry.host, "hello", "v1", "v1");
      setup = makeLocalDriver(dataDir, { wakeAhead: state });
    });

    after(async () => {
      // The restarted driver first: the crashed one's stop then finds (and checks) nothing left.
      await restarted?.driver.stop();
      await tearDownLocalDriver(setup, registry, dataDir);
    });

    it("is removed by the next start (its record says creating) and the service still wakes", async () => {
      assert.ok(setup && registry);
      await setup.driver.start();
      const spec = specFor(newService(), await pullImage(setup.images, `${registry.host}/hello:v1`));
      const ref = { serviceId: spec.serviceId, deploymentId: spec.deploymentId };
      await setup.driver.deploy(spec, ctx());
      await setup.driver.waitHealthy(ref, ctx());
      await setup.driver.shiftTraffic(ref, ctx());
      await setup.driver.scale(spec.serviceId, 0, "idle");
      const [ahead] = await eventually(async () => {
        const made = creating(dataDir).filter((c) => runcKnows(c.containerId) === (state === "created"));
        return made.length === 1 ? made : undefined;
      }, 20_000, 50);
      assert.ok(ahead);

      // OpenRunner dies: the first driver is abandoned as it is, its supervisor stopped as the
      // process would be (else it would act on the records the restarted one changes).
      (setup.driver as unknown as { supervisor: { stop(): void } }).supervisor.stop();
      restarted = makeLocalDriver(dataDir, { wakeAhead: state }, setup.layout);
      await restarted.driver.start();
      assert.equal(runcKnows(ahead.containerId), false, "no runc container of it is left");
      assert.equal(existsSync(join(dataDir, "runtime", "instances", ahead.instanceId)), false, "its dir, disk and overlay are gone");
      assert.doesNotMatch(readFileSync("/proc/self/mountinfo", "utf8"), new RegExp(ahead.instanceId));

      await restarted.driver.scale(spec.serviceId, 1, "a request");
      const [woken] = await eventually(async () => {
        const up = restarted?.driver.instances(spec.serviceId).filter((i) => i.healthy) ?? [];
        return up.length === 1 ? up : undefined;
      }, 30_000, 50);
      assert.notEqual(woken?.instanceId, ahead.instanceId);
    });
  });
}
