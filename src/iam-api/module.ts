import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../modules.js";
import { queryApiRoute } from "../protocol/query/model-route.js";
import { PeriodicTask } from "../util/periodic-task.js";
import type { IamDeps } from "./context.js";
import { iamApi } from "./iam-api.js";
import { seedIam } from "./seed.js";

/** How often access keys' last use, noted in memory on every call, is written to the store. */
const LAST_USED_FLUSH_MS = 10_000;

/** Real clients sign IAM for us-east-1 whatever region they are configured with. */
const IAM_SIGNING_REGION = "us-east-1";

export interface IamModuleOptions {
  /** Between writes of access keys' last use to the store; default 10 s. */
  lastUsedFlushMs?: number;
}

/**
 * IAM's API on the shared endpoint (awsQuery, signed for `iam`), AWS's managed policies and App
 * Runner's service-linked role seeded at every start, and each key's last use (every API's
 * calls, as GetAccessKeyLastUsed reports it) noted in memory and flushed every 10 s and on stop.
 */
export function iamModule(options: IamModuleOptions = {}): ModuleFactory {
  return (deps: ModuleDeps): ControlPlaneModule => {
    const iamDeps: IamDeps = { store: deps.store, accountId: deps.config.accountId, clock: deps.clock, random: deps.random };
    seedIam(iamDeps);
    const api = iamApi(deps.store, deps.config.accountId);
    const everyMs = options.lastUsedFlushMs ?? LAST_USED_FLUSH_MS;
    const flush = new PeriodicTask({ name: "access key last-used flush", everyMs, run: () => deps.store.accessKeys.flushUses(), logger: deps.logger });
    return {
      name: "iam",
      routes: [queryApiRoute(api, deps, iamDeps, { alsoRegions: [IAM_SIGNING_REGION], validationError: "IamValidation" })],
      onApiCall(call) {
        if (call.accessKeyId === undefined || call.api === undefined) return;
        deps.store.accessKeys.noteUse(call.accessKeyId, { at: call.time, service: call.api.signingName, region: deps.config.region });
      },
      start: () => flush.start(),
      async stop() {
        await flush.stop();
        deps.store.accessKeys.flushUses();
      },
    };
  };
}

export const createIamModule: ModuleFactory = iamModule();
