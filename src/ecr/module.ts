import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../modules.js";
import type { BuiltInRegistry, RegistryPasswords, RepositoryDirectory } from "../registry/types.js";
import type { TaskTimers } from "../util/periodic-task.js";
import { ecrApi } from "./ecr-api.js";
import { lifecycleSweeper, type LifecycleSweepResult } from "./lifecycle/sweep.js";
import { RepositoryStore } from "./repository-store.js";
import { ecrAuthorization } from "./authorization.js";

export interface EcrModule extends ControlPlaneModule {
  /** What the registry asks before a push: does the repository exist, are its tags immutable. */
  repositories: RepositoryDirectory;
  /** Applies every lifecycle policy now (after a sweep in progress, if any); undefined if it failed (logged) or the module stopped. */
  sweepLifecyclePoliciesNow(): Promise<LifecycleSweepResult | undefined>;
}

/** The ECR module among others, for the composition root: the registry reads its repositories. */
export function isEcrModule(m: ControlPlaneModule): m is EcrModule {
  return "sweepLifecyclePoliciesNow" in m;
}

export interface EcrModuleOptions {
  /** Between lifecycle sweeps; default DEFAULT_LIFECYCLE_SWEEP_MS (an hour). 0: only when asked or a policy changes. */
  lifecycleSweepMs?: number;
  timers?: TaskTimers;
}

/**
 * The ECR API over the built-in registry: repositories and their lifecycle policies in the
 * control-plane store (this account's region), images in the registry, and the sweep that
 * applies lifecycle policies (soon after one is put, then every `lifecycleSweepMs`).
 */
export function ecrModule(registry: BuiltInRegistry, passwords: RegistryPasswords, options: EcrModuleOptions = {}): (deps: ModuleDeps) => EcrModule {
  return (deps) => {
    const repositories = new RepositoryStore(deps.store, deps.config.region);
    const sweeper = lifecycleSweeper({ repositories, registry, clock: deps.clock, logger: deps.logger }, { everyMs: options.lifecycleSweepMs, timers: options.timers });
    return {
      name: "ecr",
      apis: [{ ...ecrApi({ repositories, registry, passwords, lifecyclePolicyChanged: () => sweeper.runSoon() }), authorization: ecrAuthorization(deps.config.region) }],
      repositories,
      sweepLifecyclePoliciesNow: () => sweeper.runNow(),
      start: () => sweeper.start(),
      stop: () => sweeper.stop(),
    };
  };
}

/** The module as a factory of the composition root's list, once the registry it serves exists. */
export const createEcrModule = (registry: BuiltInRegistry & RegistryPasswords, options?: EcrModuleOptions): ModuleFactory =>
  ecrModule(registry, registry, options);
