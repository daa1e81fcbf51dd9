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
import { conformanceImages } from "../../../test/support/conformance-images.js";
import { makeLocalDriver, pullImage } from "../../../test/support/local-driver.js";
import { hostLeftovers } from "../../../test/support/runtime-fixture.js";
import { RecordingRouter, runDriverConformance, type ConformanceHarness } from "../conformance.js";
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
    const router = new RecordingRouter();
    const { driver: local, layout, images } = makeLocalDriver(dataDir, {
      // Longer than the suite's abort window, so only the abort can end that wait in time.
      startupBudgetMs: 60_000,
      pendingImages: () => resolved,
      router,
    });
    const prefix = layout.prefix;
    driver = local;
    await local.start();

    const image = conformanceImages(reg.host, async (identifier) => {
      const pulled = await pullImage(images, identifier);
      resolved.add(pulled.digest);
      return pulled;
    });

    return {
      driver: local,
      image,
      serving: async (serviceId) => local.instances(serviceId).map((i) => ({ address: i.address, port: i.port })),
      leftovers: async () => hostLeftovers(prefix, dataDir),
      teardown,
      router,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
runDriverConformance("local (runc)", localHarness, { skip: canRun ? false : "needs root, runc and /bin/busybox" });
