/**
 * The driver conformance suite (src/runtime/conformance.ts) against LocalRuntimeDriver, built
 * directly (no server): a temp data dir, a loopback registry with the test images, and a host
 * layout with its own random prefix and 127.X block, so it runs beside other test files.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import { pushCrashingApp, pushHelloApp } from "../../../test/support/app-images.js";
import { buildAndPushImage } from "../../../test/support/oci-image.js";
import { hostLeftovers, randomAddressBlock } from "../../../test/support/runtime-fixture.js";
import { LocalImageStore } from "../../images/image-store.js";
import { emptyRegistryConfig } from "../../images/registry-config.js";
import type { LogSink } from "../../telemetry/log-sink.js";
import { systemClock } from "../../util/clock.js";
import { cryptoRandom } from "../../util/random.js";
import { runDriverConformance, type ConformanceHarness, type ConformanceImage } from "../conformance.js";
import { LocalRuntimeDriver } from "./driver.js";
import type { HostLayout } from "./types.js";

function randomPrefix(): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "orc";
  for (let i = 0; i < 3; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

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
    const prefix = randomPrefix();
    const layout: HostLayout = {
      prefix,
      addressBlock: randomAddressBlock(),
      instancesDir: join(dataDir, "runtime", "instances"),
      egress: false,
    };
    const appLines: string[] = [];
    const logs: LogSink = {
      append: (_group, stream, events) => {
        for (const e of events) appLines.push(`${stream}: ${e.message}`);
      },
    };
    const events: string[] = [];
    const local = new LocalRuntimeDriver({
      runtimeDir: join(dataDir, "runtime"),
      layout,
      images: new LocalImageStore({ dir: join(dataDir, "images"), config: emptyRegistryConfig() }),
      clock: systemClock,
      random: cryptoRandom,
      logs,
      serviceEvent: (service, message) => void events.push(`${service.id}: ${message}`),
      logger: () => undefined,
      stopGraceMs: 1000,
      // Longer than the suite's abort window, so only the abort can end that wait in time.
      startupBudgetMs: 60_000,
      superviseMs: 250,
    });
    driver = local;
    await local.start();

    const pushed = new Map<string, Promise<string>>();
    const imageRef = (kind: ConformanceImage, version = "v1"): Promise<string> => {
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
        p = push.then(() => `${reg.host}/conformance/${kind}:${tag}`);
        pushed.set(key, p);
      }
      return p;
    };

    return {
      driver: local,
      imageRef,
      serving: async (serviceId) => local.instances(serviceId).map((i) => ({ address: i.address, port: i.port })),
      leftovers: async () => hostLeftovers(prefix, dataDir),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

runDriverConformance("local (runc)", localHarness);
