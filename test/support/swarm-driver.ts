/** What tests of the Swarm driver share: how nodes pull a test registry's image, and what an owner left in the swarm. */
import type { DeploymentImage } from "../../src/runtime/driver.js";
import { SwarmRuntimeDriver } from "../../src/runtime/swarm/driver.js";
import type { EngineApi } from "../../src/runtime/swarm/engine-api.js";
import { filters } from "../../src/runtime/swarm/engine-types.js";
import { LABELS, type NodePull, type SwarmDriverOptions } from "../../src/runtime/swarm/types.js";
import { systemClock } from "../../src/util/clock.js";
import { EveryStep } from "../../src/util/every-step.js";
import { cryptoRandom } from "../../src/util/random.js";
import { startPrivateDockerd, type PrivateDockerd } from "./dockerd.js";
import { startRegistry, type TestRegistry } from "./registry.js";

/** `127.0.0.1:<port>/repo:tag` + digest -> `127.0.0.1:<port>/repo@sha256:...` (loopback registries are insecure for dockerd by default). */
export async function nodePullOf(image: DeploymentImage): Promise<NodePull> {
  const at = image.identifier.lastIndexOf("@");
  const name = at >= 0 ? image.identifier.slice(0, at) : image.identifier.replace(/:[^:/]+$/, "");
  return { reference: `${name}@${image.digest}` };
}

/** Swarm services, containers and networks with the owner's label, besides the driver's own overlay network (named `owner`). */
export async function swarmLeftovers(api: EngineApi, owner: string): Promise<string[]> {
  const q = { filters: filters({ label: [`${LABELS.owner}=${owner}`] }) };
  const [services, containers, networks] = await Promise.all([
    api.call<{ Spec: { Name: string } }[]>({ path: "/services", query: q }),
    api.call<{ Id: string; Names?: string[] }[]>({ path: "/containers/json", query: { ...q, all: 1 } }),
    api.call<{ Name: string }[]>({ path: "/networks", query: q }),
  ]);
  return [
    ...services.map((s) => `service ${s.Spec.Name}`),
    ...containers.map((c) => `container ${c.Names?.[0] ?? c.Id}`),
    ...networks.filter((n) => n.Name !== owner).map((n) => `network ${n.Name}`),
  ];
}

export interface SwarmDriverSetup {
  driver: SwarmRuntimeDriver;
  dockerd: PrivateDockerd;
  registry: TestRegistry;
  owner: string;
  /** Application log lines, `<stream>: <message>`. */
  appLines: string[];
  /** Service events lines, `<serviceId>: <message>`. */
  events: string[];
  /** A control plane restart: stops `driver` (its services keep running) and starts a new one with the same options as `driver`. */
  restart(): Promise<SwarmRuntimeDriver>;
  /** Stops the driver, the daemon (its services with it) and the registry, each whatever the others do. */
  stop(): Promise<void>;
}

/**
 * A loopback registry, a private single-node swarm (test/support/dockerd.ts) and a started
 * SwarmRuntimeDriver on it with a fresh owner; everything goes again if a step fails.
 */
export async function startSwarmDriver(overrides: Partial<SwarmDriverOptions> = {}): Promise<SwarmDriverSetup> {
  let registry: TestRegistry | undefined;
  let dockerd: PrivateDockerd | undefined;
  let driver: SwarmRuntimeDriver | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
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
    const owner = `orc${cryptoRandom.bytes(3).toString("hex")}`;
    const appLines: string[] = [];
    const events: string[] = [];
    const options: SwarmDriverOptions = {
      api: dockerd.api,
      owner,
      pullOf: nodePullOf,
      clock: systemClock,
      random: cryptoRandom,
      logs: { append: (_group, stream, lines) => void appLines.push(...lines.map((e) => `${stream}: ${e.message}`)) },
      serviceEvent: (service, message) => void events.push(`${service.id}: ${message}`),
      logger: () => undefined,
      startupBudgetMs: 60_000,
      // The test apps are PID 1 and ignore SIGTERM: a shorter grace keeps each stop short.
      stopGraceMs: 1_000,
      watchMs: 250,
      ...overrides,
    };
    driver = new SwarmRuntimeDriver(options);
    await driver.start();
    const setup: SwarmDriverSetup = {
      driver,
      dockerd,
      registry,
      owner,
      appLines,
      events,
      restart: async () => {
        await driver?.stop();
        driver = new SwarmRuntimeDriver(options);
        setup.driver = driver;
        await driver.start();
        return driver;
      },
      stop,
    };
    return setup;
  } catch (err) {
    await stop();
    throw err;
  }
}
