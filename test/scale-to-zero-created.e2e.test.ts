/**
 * Scale to zero with `--wake-ahead created` (the opt-in): a service at zero keeps its next
 * instance up to `runc create`, and every way out of that state still cleans up. The default
 * (prepared) is tested in scale-to-zero.e2e.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteServiceCommand } from "@aws-sdk/client-apprunner";
import { pushHelloApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { testRuntimeSettings } from "./support/runtime-fixture.js";
import { runcState, scaleToZeroHelpers } from "./support/scale-to-zero.js";

describe("scale to zero with --wake-ahead created: the next instance waits in runc init", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let httpPort = 0;
  const { driver, get, createService, atZero, madeAhead, deploy, pause } = scaleToZeroHelpers({ server: () => server, httpPort: () => httpPort });

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({ localRuntime: testRuntimeSettings(httpPort, { scaleToZeroMinIdleMs: 1000, wakeAhead: "created" }) });
    registry = await startRegistry();
    await Promise.all([pushHelloApp(registry.host, "hello", "1", "hello"), pushHelloApp(registry.host, "hello", "2", "second")]);
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
  });

  it("keeps its next instance made ahead while at zero (runc created, the app not running, no environment on disk) and the wake starts that one", async () => {
    const svc = await createService("ahead", `${registry.host}/hello:1`, undefined, { AHEAD_MARK: "value-kept-off-disk" });
    assert.equal((await get(svc.ServiceUrl ?? "")).status, 200);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "created"), 20_000, 100);
    // Only runc's init waits in it: nothing of the app runs while the service is at zero.
    assert.match(readFileSync(`/proc/${ahead.pid ?? 0}/cmdline`, "utf8"), /^runc\0init/);
    // runc has read the bundle once it says "created"; the runtime strips it right after (bounded wait).
    const stripped = (): boolean => !/value-kept-off-disk/.test(readFileSync(join(ahead.dir, "config.json"), "utf8"));
    await eventually(async () => (stripped() ? true : undefined), 10_000, 20).catch(() => undefined);
    assert.equal(stripped(), true, "the bundle on disk keeps no environment");
    assert.equal((await get(svc.ServiceUrl ?? "")).status, 200);
    assert.deepEqual(
      driver().instances(svc.ServiceId).map((i) => i.instanceId),
      [ahead.instanceId],
      "the wake started the instance made ahead",
    );
    // Back at zero, a new one is made; deleting the service removes it with everything else.
    await atZero(svc);
    const next = await eventually(async () => madeAhead(svc, "created"), 20_000, 100);
    assert.notEqual(next.instanceId, ahead.instanceId);
    await server.client.send(new DeleteServiceCommand({ ServiceArn: svc.ServiceArn }));
    await eventually(async () => (runcState(next.containerId) === undefined && !existsSync(next.dir) ? true : undefined), 20_000, 100);
  });

  it("a deployment while at zero does not start the old version's instance made ahead: the new version answers", async () => {
    const svc = await createService("redeployed-at-zero", `${registry.host}/hello:1`);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "created"), 20_000, 100);
    await deploy(svc, `${registry.host}/hello:2`);
    assert.equal(runcState(ahead.containerId), undefined, "the old version's instance made ahead is gone");
    assert.equal((await get(svc.ServiceUrl ?? "")).body.trim(), "second");
  });

  it("pausing a service at zero removes its instance made ahead and runc's waiting init", async () => {
    const svc = await createService("paused-at-zero", `${registry.host}/hello:1`);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "created"), 20_000, 100);
    await pause(svc);
    await eventually(async () => (runcState(ahead.containerId) === undefined && !existsSync(ahead.dir) ? true : undefined), 20_000, 100);
    assert.equal(existsSync(`/proc/${ahead.pid ?? 0}`) && readFileSync(`/proc/${ahead.pid ?? 0}/cmdline`, "utf8").startsWith("runc"), false, "runc's init is gone");
  });
});
