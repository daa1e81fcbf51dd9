import type { ControlPlaneModule, ModuleDeps } from "../modules.js";
import type { SecretValueReader } from "../domain/runtime-secrets.js";
import { SecretStore } from "../store/secrets/secret-store.js";
import type { TaskTimers } from "../util/periodic-task.js";
import { secretsManagerAuthorization } from "./authorization.js";
import { findSecret } from "./lookup.js";
import { secretPurger } from "./purge.js";
import { secretsManagerReader } from "./reader.js";
import { secretsManagerApi } from "./secrets-manager-api.js";

/** Secrets Manager's API, and the reader deployments resolve secrets with (the composition root hands it to the engine). */
export interface SecretsManagerModule extends ControlPlaneModule {
  reader: SecretValueReader;
}

export function isSecretsManagerModule(m: ControlPlaneModule): m is SecretsManagerModule {
  return m.name === "secretsmanager" && "reader" in m;
}

export interface SecretsManagerOptions {
  /** Between purges of secrets past their recovery window; default DEFAULT_PURGE_EVERY_MS (an hour). */
  purgeEveryMs?: number;
  timers?: TaskTimers;
}

/**
 * Secrets Manager on the shared endpoint: secrets of this account's region in the control-plane
 * store, their values only as envelopes under KMS keys (deps.keys), and the purge of secrets
 * whose recovery window has ended.
 */
export function secretsManagerModule(options: SecretsManagerOptions = {}): (deps: ModuleDeps) => SecretsManagerModule {
  return (deps) => {
    const secrets = new SecretStore(deps.store.db, deps.config.region);
    const here = { region: deps.config.region, accountId: deps.config.accountId };
    const purger = secretPurger(
      { secrets, tags: deps.store.tags, tx: (fn) => deps.store.tx(fn), clock: deps.clock, logger: deps.logger },
      { everyMs: options.purgeEveryMs, timers: options.timers },
    );
    const arnOf = (secretId: string): string | undefined => findSecret(secrets, here, secretId, deps.clock.now())?.arn;
    const api = { ...secretsManagerApi({ secrets, keys: deps.keys, logger: deps.logger }), authorization: secretsManagerAuthorization(deps.config.region, arnOf) };
    return {
      name: "secretsmanager",
      apis: [api],
      // A deployment's reads are in the audit trail beside the API's own calls.
      reader: secretsManagerReader({ secrets, keys: deps.keys, authorizer: deps.authorizer, clock: deps.clock, random: deps.random, here, record: (call) => deps.recordApiCall({ ...call, api }) }),
      start: () => purger.start(),
      stop: () => purger.stop(),
    };
  };
}

/** The module with its defaults, as DEFAULT_MODULES lists it. */
export function createSecretsManagerModule(deps: ModuleDeps): SecretsManagerModule {
  return secretsManagerModule()(deps);
}
