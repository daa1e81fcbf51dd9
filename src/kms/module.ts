import { keyDeletionSweep } from "../keys/deletion-sweep.js";
import { isKeyAdministration } from "../keys/key-administration.js";
import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../modules.js";
import type { TaskTimers } from "../util/periodic-task.js";
import { kmsAuthorization } from "./authorization.js";
import { kmsApi } from "./kms-api.js";

export interface KmsModuleOptions {
  /** Between sweeps of keys whose deletion window passed; default DEFAULT_KEY_DELETION_SWEEP_MS (a minute). */
  deletionSweepMs?: number;
  timers?: TaskTimers;
}

/**
 * KMS's API (TrentService) on the shared endpoint over `deps.keys`, and the sweep that deletes
 * keys whose pending-deletion window has passed. Without a key service that administers keys,
 * no API is served.
 */
export function kmsModule(options: KmsModuleOptions = {}): ModuleFactory {
  return (deps: ModuleDeps): ControlPlaneModule => {
    const keys = deps.keys;
    if (!isKeyAdministration(keys)) return { name: "kms" };
    const sweep = keyDeletionSweep(keys, deps.logger, { everyMs: options.deletionSweepMs, timers: options.timers });
    return {
      name: "kms",
      apis: [{ ...kmsApi({ keys, tags: deps.store.tags }), authorization: kmsAuthorization(keys, deps.authorizer, deps.config.region) }],
      start: () => sweep.start(),
      stop: () => sweep.stop(),
    };
  };
}

/** KMS with its default sweep, for DEFAULT_MODULES. */
export const createKmsModule: ModuleFactory = kmsModule();
