import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { SecretBox } from "../../src/iam/secret-box.js";
import { join } from "node:path";
import { LocalImageStore } from "../../src/images/image-store.js";
import { emptyRegistryConfig } from "../../src/images/registry-config.js";
import type { DeploymentImage } from "../../src/runtime/driver.js";
import { LocalRuntimeDriver, type LocalDriverOptions } from "../../src/runtime/local/driver.js";
import type { HostLayout } from "../../src/executor/types.js";
import type { LogSink } from "../../src/telemetry/log-sink.js";
import { systemClock } from "../../src/util/clock.js";
import { cryptoRandom } from "../../src/util/random.js";
import { hostLeftovers, randomAddressBlock } from "./runtime-fixture.js";

function randomPrefix(): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "orc";
  for (let i = 0; i < 3; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export interface LocalDriverSetup {
  driver: LocalRuntimeDriver;
  /** The driver's image store: a test pulls into it what the engine's artifact phase would. */
  images: LocalImageStore;
  layout: HostLayout;
  /** Application log lines, `<stream>: <message>`. */
  appLines: string[];
  /** Service events lines, `<serviceId>: <message>`. */
  events: string[];
}

/**
 * A LocalRuntimeDriver over `dataDir` without a server: its own random prefix and 127.X block
 * (so it runs beside other test files), real images, containers and networks. `layout` reuses
 * another setup's names (a restart over the same directory).
 */
export function makeLocalDriver(dataDir: string, overrides: Partial<LocalDriverOptions> = {}, layout?: HostLayout): LocalDriverSetup {
  const appLines: string[] = [];
  const events: string[] = [];
  const logs: LogSink = {
    append: (_group, stream, lines) => {
      for (const e of lines) appLines.push(`${stream}: ${e.message}`);
    },
  };
  const hostLayout: HostLayout = layout ?? {
    prefix: randomPrefix(),
    addressBlock: randomAddressBlock(),
    instancesDir: join(dataDir, "runtime", "instances"),
    egress: false,
  };
  const images = new LocalImageStore({ dir: join(dataDir, "images"), config: emptyRegistryConfig() });
  const driver = new LocalRuntimeDriver({
    runtimeDir: join(dataDir, "runtime"),
    layout: hostLayout,
    images,
    clock: systemClock,
    random: cryptoRandom,
    logs,
    serviceEvent: (service, message) => void events.push(`${service.id}: ${message}`),
    logger: () => undefined,
    stopGraceMs: 1000,
    superviseMs: 250,
    // The data directory's own key, as the server's: a restart over the same directory opens its records.
    sealer: SecretBox.forDataDir(dataDir),
    ...overrides,
  });
  return { driver, images, layout: hostLayout, appLines, events };
}

/** Pulls `identifier` into the driver's image store, as the engine's artifact phase does, and names it as a deployment does. */
export async function pullImage(images: LocalImageStore, identifier: string): Promise<DeploymentImage> {
  const pulled = await images.pull(identifier);
  return { identifier, digest: pulled.resolvedDigest };
}

/** Stops the driver, checks it left nothing on the host, then stops the registry and removes the directory. */
export async function tearDownLocalDriver(setup: LocalDriverSetup | undefined, registry: { stop(): Promise<void> } | undefined, dataDir: string): Promise<void> {
  try {
    await setup?.driver.stop();
    if (setup) assert.deepEqual(hostLeftovers(setup.layout.prefix, dataDir), []);
  } finally {
    await registry?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
