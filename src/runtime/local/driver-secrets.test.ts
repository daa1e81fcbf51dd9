/**
 * A deployment's secrets with the real local driver, real images and containers: the app sees
 * the values as environment variables, and nothing the driver leaves on disk holds them in
 * clear (its deployment record is sealed; the bundle's config.json loses the environment once runc
 * started the container). Needs root, runc and a static /bin/busybox; skipped otherwise.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "../../../test/support/app-images.js";
import { makeLocalDriver, pullImage, tearDownLocalDriver, type LocalDriverSetup } from "../../../test/support/local-driver.js";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import { SecretBox } from "../../iam/secret-box.js";
import type { DriverContext } from "../driver.js";
import { newService, specFor } from "../conformance.js";
import { RuntimeRecords } from "./records.js";

const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
const skip = canRun ? false : "needs root, runc and /bin/busybox";
const SECRET = "secret-Jq7Lw2-value";
const PLAIN = "plain-Vx9q-value";

const ctx = (): DriverContext => ({ log: () => undefined, signal: new AbortController().signal });

/**
 * Every regular file below `dir`, except the container's own filesystem (the image under its
 * overlay) and the sparse image of its disk, whose files are read through its mount (`disk/`).
 */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== "disk.img")
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.slice(dir.length).split("/").includes("rootfs"));
}

describe("the local driver: secrets reach the instance's environment and no file in clear", { skip }, () => {
  let dataDir = "";
  let registry: TestRegistry | undefined;
  let setup: LocalDriverSetup | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "openrunner-driver-secrets-"));
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "v1", "v1");
    setup = makeLocalDriver(dataDir);
    await setup.driver.start();
  });

  after(() => tearDownLocalDriver(setup, registry, dataDir));

  it("the app reads MESSAGE from the secret; the record is sealed and the bundle config.json keeps no environment", async () => {
    const driver = setup?.driver;
    assert.ok(driver && registry && setup);
    const spec = specFor(newService(), await pullImage(setup.images, `${registry.host}/hello:v1`), {
      run: { Port: "8080", RuntimeEnvironmentVariables: { PLAIN }, RuntimeEnvironmentSecrets: { MESSAGE: "/app/message" } },
      secrets: { MESSAGE: SECRET },
    });
    const { serviceId } = spec;
    await driver.deploy(spec, ctx());
    await driver.waitHealthy({ serviceId, deploymentId: spec.deploymentId }, ctx());
    const [instance] = driver.instances(serviceId);
    assert.ok(instance);
    const res = await fetch(`http://${instance.address}:${instance.port}/cgi-bin/env`);
    assert.equal((await res.text()).trim(), `MESSAGE=${SECRET}`);

    const runtimeDir = join(dataDir, "runtime");
    const instanceDir = join(runtimeDir, "instances", instance.instanceId);
    const bundle = JSON.parse(readFileSync(join(instanceDir, "config.json"), "utf8")) as { process: { env: string[] } };
    assert.deepEqual(bundle.process.env.map((e) => e.split("=")[0]), ["PATH"], "runc's bundle config keeps no environment but PATH once the container started");
    const files = [...filesBelow(join(runtimeDir, "deployments")), ...filesBelow(instanceDir)];
    assert.ok(files.some((f) => f.endsWith(`${spec.deploymentId}.json`)), files.join("\n"));
    for (const f of files) {
      const text = readFileSync(f).toString("latin1");
      assert.ok(!text.includes(SECRET), `the secret's value is in clear in ${f}`);
      assert.ok(!text.includes(PLAIN), `a variable's value is in clear in ${f}`);
    }
    // What a restart reads back: the whole environment, under the data directory's key.
    const reread = new RuntimeRecords(runtimeDir, join(runtimeDir, "instances"), SecretBox.forDataDir(dataDir)).deployment(spec.deploymentId);
    assert.ok(reread?.plan.env.includes(`MESSAGE=${SECRET}`) && reread.plan.env.includes(`PLAIN=${PLAIN}`), JSON.stringify(reread?.plan.env));
    await driver.delete(serviceId, ctx());
  });
});
