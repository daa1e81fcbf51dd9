/**
 * The driver conformance suite (src/runtime/conformance.ts) against SwarmRuntimeDriver on a
 * private single-node swarm (test/support/dockerd.ts: its own dockerd, data root and socket,
 * `swarm init` on 127.0.0.1). Images are pushed to a loopback registry, which the node pulls
 * from by digest, as it would from the built-in registry.
 */
import { startPrivateDockerd, dockerdSkipReason, type PrivateDockerd } from "../../../test/support/dockerd.js";
import { startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import { conformanceImages } from "../../../test/support/conformance-images.js";
import { runDriverConformance, type ConformanceHarness } from "../conformance.js";
import { systemClock } from "../../util/clock.js";
import { cryptoRandom } from "../../util/random.js";
import { EveryStep } from "../../util/every-step.js";
import { SwarmRuntimeDriver } from "./driver.js";
import { swarmLeftovers, nodePullOf } from "../../../test/support/swarm-driver.js";

async function swarmHarness(): Promise<ConformanceHarness> {
  let registry: TestRegistry | undefined;
  let dockerd: PrivateDockerd | undefined;
  let driver: SwarmRuntimeDriver | undefined;
  let stopped: Promise<void> | undefined;
  const teardown = (): Promise<void> => {
    stopped ??= (async () => {
      const steps = new EveryStep();
      await steps.attempt("stopping the driver", async () => driver?.stop());
      await steps.attempt("stopping dockerd", async () => dockerd?.stop());
      await steps.attempt("stopping the registry", async () => registry?.stop());
      const failed = steps.failures();
      if (failed) throw new Error(failed);
    })();
    return stopped;
  };
  try {
    registry = await startRegistry();
    dockerd = await startPrivateDockerd({ swarm: true });
    const reg = registry;
    const owner = `orc${cryptoRandom.bytes(3).toString("hex")}`;
    const swarm = new SwarmRuntimeDriver({
      api: dockerd.api,
      owner,
      pullOf: nodePullOf,
      clock: systemClock,
      random: cryptoRandom,
      logs: { append: () => undefined },
      serviceEvent: () => undefined,
      logger: () => undefined,
      // Longer than the suite's abort window, so only the abort can end that wait in time.
      startupBudgetMs: 60_000,
      watchMs: 250,
    });
    driver = swarm;
    await swarm.start();
    const api = dockerd.api;

    // The nodes pull by digest what a HEAD on the tag names, as the engine resolves it.
    const image = conformanceImages(reg.host, async (identifier, pushed) => ({ identifier, digest: pushed.digest }));

    return {
      driver: swarm,
      image,
      serving: async (serviceId) => swarm.instances(serviceId).map((i) => ({ address: i.address, port: i.port })),
      leftovers: () => swarmLeftovers(api, owner),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

runDriverConformance("swarm", swarmHarness, { skip: dockerdSkipReason() });
