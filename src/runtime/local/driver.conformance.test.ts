/**
 * The driver conformance suite (src/runtime/conformance.ts) against LocalRuntimeDriver, built
 * directly (no server): a temp data dir, a loopback registry with the test images (pulled into
 * the driver's image store, as the engine's artifact phase does), and a host
 * layout with its own random prefix and 127.X block, so it runs beside other test files.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import { pushCrashingApp, pushHelloApp } from "../../../test/support/app-images.js";
import { buildAndPushImage } from "../../../test/support/oci-image.js";
import { makeLocalDriver, pullImage } from "../../../test/support/local-driver.js";
import { hostLeftovers } from "../../../test/support/runtime-fixture.js";
import { runDriverConformance, type ConformanceHarness, type ConformanceImage } from "../conformance.js";
import type { DeploymentImage } from "../driver.js";
import type { LocalRuntimeDriver } from "./driver.js";

async function localHarness(): Promise<ConformanceHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "openrunner-conformance-"));
  let registry: TestRegistry | undefined;
  let driver: LocalRuntimeDriver | undefined;
  let stopped: Promise<void> | undefined;
  const teardown = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        await driver?.stop();
      } finally {
        try {
          await registry?.stop();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    })();
    return stopped;
  };
  try {
    registry = await startRegistry();
    const reg = registry;
    // The images this harness resolved, kept against a prune (a delete's) as the engine keeps
    // those its open operations name until their deployment records them.
    const resolved = new Set<string>();
    const { driver: local, layout, images } = makeLocalDriver(dataDir, {
      // Longer than the suite's abort window, so only the abort can end that wait in time.
      startupBudgetMs: 60_000,
      pendingImages: () => resolved,
    });
    const prefix = layout.prefix;
    driver = local;
    await local.start();

    const pushed = new Map<string, Promise<DeploymentImage>>();
    const image = (kind: ConformanceImage, version = "v1"): Promise<DeploymentImage> => {
      const tag = kind === "hello" ? version : kind;
      const key = `${kind}:${tag}`;
      let p = pushed.get(key);
      if (!p) {
        const push =
          kind === "hello"
            ? pushHelloApp(reg.host, "conformance/hello", tag, version)
            : kind === "crash"
              ? pushCrashingApp(reg.host, "conformance/crash", tag)
              : buildAndPushImage(reg.host, "conformance/silent", tag, { busybox: true, cmd: ["/bin/sh", "-c", "sleep 1000"] });
        p = push.then(async () => {
          const image = await pullImage(images, `${reg.host}/conformance/${kind}:${tag}`);
          resolved.add(image.digest);
          return image;
        });
        pushed.set(key, p);
      }
      return p;
    };

    return {
      driver: local,
      image,
      serving: async (serviceId) => local.instances(serviceId).map((i) => ({ address: i.address, port: i.port })),
      leftovers: async () => hostLeftovers(prefix, dataDir),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
runDriverConformance("local (runc)", localHarness, { skip: canRun ? false : "needs root, runc and /bin/busybox" });
