import { join } from "node:path";
import { createCertificateAuthority } from "../acme/index.js";
import { createChallengeZone } from "../dns/challenge-zone.js";
import { createRecordChecker } from "../dns/record-checker.js";
import type { ControlPlaneConfig } from "../domain/config.js";
import type { CustomDomainDataPlane } from "../router/types.js";
import type { Store } from "../store/store.js";
import type { ServiceEventRecorder } from "../telemetry/service-events.js";
import type { Clock } from "../util/clock.js";
import type { TaskLogger } from "../util/periodic-task.js";
import type { Random } from "../util/random.js";
import type { CustomDomainParts } from "./context.js";
import { CustomDomainController } from "./controller.js";
import type { CustomDomainSettings } from "./types.js";

export interface PartsEnvironment {
  dataDir: string;
  logger: TaskLogger;
  clock: Clock;
  /** The router (HaproxyRouter), where there is a data plane. */
  dataPlane?: CustomDomainDataPlane;
}

/**
 * The custom-domain controller's parts for the settings: each one given in `given` (tests)
 * replaces its factory's. Without a CA there is no record checker either: a server that cannot
 * issue never queries DNS (so the API's own tests stay on loopback).
 */
export function customDomainParts(settings: CustomDomainSettings | undefined, given: CustomDomainParts | undefined, env: PartsEnvironment): CustomDomainParts {
  const dataPlane = given?.dataPlane ?? env.dataPlane;
  const acme = settings?.acme;
  const authority =
    given?.authority ??
    (acme ? createCertificateAuthority({ ...acme, accountDir: join(env.dataDir, "certificates", "acme") }, { clock: env.clock, logger: env.logger }) : undefined);
  const zone = given?.zone ?? (settings?.challengeZone ? createChallengeZone(settings.challengeZone, { logger: env.logger }) : undefined);
  const checker = given?.checker ?? (acme ? createRecordChecker(settings.resolvers ? { resolvers: settings.resolvers } : {}) : undefined);
  return {
    ...(authority ? { authority } : {}),
    ...(zone ? { zone } : {}),
    ...(checker ? { checker } : {}),
    ...(dataPlane ? { dataPlane } : {}),
  };
}

export interface CustomDomainsEnvironment extends PartsEnvironment {
  store: Store;
  config: ControlPlaneConfig;
  random: Random;
  events: ServiceEventRecorder;
}

/** The controller and the challenge zone it answers DNS-01 through, started and stopped together. */
export interface CustomDomains {
  controller: CustomDomainController;
  /** After the data plane: the controller serves the active associations' certificates again at once. */
  start(): Promise<void>;
  /** Before the data plane and the zone it answers challenges through. */
  stop(): Promise<void>;
}

/** The composition root's custom-domain block: parts for the settings, the controller over them. */
export function createCustomDomains(settings: CustomDomainSettings | undefined, given: CustomDomainParts | undefined, env: CustomDomainsEnvironment): CustomDomains {
  const parts = customDomainParts(settings, given, env);
  const controller = new CustomDomainController({
    store: env.store,
    config: env.config,
    clock: env.clock,
    random: env.random,
    events: env.events,
    logger: env.logger,
    dataDir: env.dataDir,
    parts,
    // The router listens on loopback unless told otherwise: a name resolving there points at it.
    dataPlaneAddresses: settings?.dataPlaneAddresses ?? (env.dataPlane ? ["127.0.0.1"] : []),
    ...(settings?.timings ? { timings: settings.timings } : {}),
  });
  return {
    controller,
    async start() {
      await parts.zone?.start();
      controller.start();
    },
    async stop() {
      await controller.stop();
      await parts.zone?.stop();
    },
  };
}

/** The config's challenge zone (the validation records point into it) when `--acme-dns-zone` names one; else the config's default. */
export function customDomainConfig(settings: CustomDomainSettings | undefined): Pick<ControlPlaneConfig, "customDomainZone"> {
  const zone = settings?.challengeZone?.zone;
  return zone !== undefined ? { customDomainZone: zone } : {};
}
