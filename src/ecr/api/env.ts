import type { ApiDeps, RequestContext } from "../../domain/api-context.js";
import type { EnvHandler } from "../../protocol/context.js";
import type { BuiltInRegistry, RegistryPasswords } from "../../registry/types.js";
import { repositoryNotFound } from "../errors.js";
import type { RepositoryRow, RepositoryStore } from "../repository-store.js";

/** What the ECR operations share beyond the request context. */
export interface EcrEnv {
  repositories: RepositoryStore;
  /** The only truth about images: tags, manifests, push times. */
  registry: BuiltInRegistry;
  passwords: RegistryPasswords;
  /** A lifecycle policy was set: the sweep looks at it soon rather than at its next turn. */
  lifecyclePolicyChanged(): void;
}

/** An ECR operation: the shared handler shape plus the module's environment. */
export type EcrHandler = EnvHandler<ApiDeps, EcrEnv>;

/** The repository, or ECR's RepositoryNotFoundException. */
export function requireRepository(env: EcrEnv, ctx: RequestContext, name: string): RepositoryRow {
  const repo = env.repositories.get(name);
  if (!repo) throw repositoryNotFound(name, ctx.config.accountId);
  return repo;
}
