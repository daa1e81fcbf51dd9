/**
 * The driver conformance suite (src/runtime/conformance.ts) against SwarmRuntimeDriver on a
 * private single-node swarm (test/support/dockerd.ts: its own dockerd, data root and socket,
 * `swarm init` on 127.0.0.1). Images are pushed to a loopback registry, which the node pulls
 * from by digest, as it would from the built-in registry.
 */
import { dockerdSkipReason } from "../../../test/support/dockerd.js";
import { conformanceImages } from "../../../test/support/conformance-images.js";
import { startSwarmDriver, swarmLeftovers } from "../../../test/support/swarm-driver.js";
import { RecordingRouter, runDriverConformance, type ConformanceHarness } from "../conformance.js";

async function swarmHarness(): Promise<ConformanceHarness> {
  // Longer than the suite's abort window, so only the abort can end that wait in time.
  const router = new RecordingRouter();
  const setup = await startSwarmDriver({ startupBudgetMs: 60_000, router });
  const { driver, dockerd, registry, owner } = setup;
  return {
    driver,
    // The nodes pull by digest what a HEAD on the tag names, as the engine resolves it.
    image: conformanceImages(registry.host, async (identifier, pushed) => ({ identifier, digest: pushed.digest })),
    serving: async (serviceId) => driver.instances(serviceId).map((i) => ({ address: i.address, port: i.port })),
    leftovers: () => swarmLeftovers(dockerd.api, owner),
    teardown: () => setup.stop(),
    router,
  };
}

runDriverConformance("swarm", swarmHarness, { skip: dockerdSkipReason() });
