import { join } from "node:path";
import { createCertificateAuthority } from "../acme/index.js";
import { createChallengeZone } from "../dns/challenge-zone.js";
import { createRecordChecker } from "../dns/record-checker.js";
import type { CustomDomainDataPlane } from "../router/types.js";
import type { Clock } from "../util/clock.js";
import type { TaskLogger } from "../util/periodic-task.js";
import type { CustomDomainParts } from "./context.js";
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
