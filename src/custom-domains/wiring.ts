import type { CustomDomainDataPlane } from "../router/types.js";
import type { TaskLogger } from "../util/periodic-task.js";
import type { CustomDomainParts } from "./context.js";
import type { CustomDomainSettings } from "./types.js";

export interface PartsEnvironment {
  dataDir: string;
  logger: TaskLogger;
  /** The router (HaproxyRouter), where there is a data plane. */
  dataPlane?: CustomDomainDataPlane;
}

/**
 * The custom-domain controller's parts for the settings: each one given in `given` (tests)
 * replaces its factory's. MERGE: the lead completes the factory calls once src/acme/index.ts and
 * src/dns/index.ts are in:
 *   authority: settings.acme ? createCertificateAuthority({ ...settings.acme, accountDir: join(env.dataDir, "certificates", "acme") }, { logger: env.logger }) : undefined
 *   zone:      settings.challengeZone ? createChallengeZone(settings.challengeZone, { logger: env.logger }) : undefined
 *   checker:   settings.acme ? createRecordChecker({ resolvers: settings.resolvers }) : undefined
 *              (only with a CA: a server without one never queries DNS, so tests stay on loopback)
 */
export function customDomainParts(settings: CustomDomainSettings | undefined, given: CustomDomainParts | undefined, env: PartsEnvironment): CustomDomainParts {
  void settings; // MERGE: the factories' input (above).
  const dataPlane = given?.dataPlane ?? env.dataPlane;
  return {
    ...(given?.authority ? { authority: given.authority } : {}), // MERGE: ?? the CA factory's
    ...(given?.zone ? { zone: given.zone } : {}), // MERGE: ?? the zone factory's
    ...(given?.checker ? { checker: given.checker } : {}), // MERGE: ?? the checker factory's
    ...(dataPlane ? { dataPlane } : {}),
  };
}
