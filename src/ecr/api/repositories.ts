import type { RequestContext } from "../../domain/api-context.js";
import type { Tag } from "../../store/tags.js";
import type { TagMutability } from "../../registry/types.js";
import { invalidParameter, invalidParameterAt, limitExceeded, repositoryAlreadyExists, repositoryNotEmpty, repositoryNotFound } from "../errors.js";
import { checkRepositoryName, repositoryArn, repositoryUri } from "../names.js";
import { pageOf } from "../paging.js";
import type { EncryptionSettings, EncryptionType, RepositoryRow } from "../repository-store.js";
import { requireRepository, type EcrEnv, type EcrHandler } from "./env.js";
import { checkRegistryId, maxResultsOf, repositoryNameIn, required } from "./input.js";
import { checkTagCount, checkTags } from "./tags.js";

/** ECR's default quota of repositories per region. */
export const MAX_REPOSITORIES = 100_000;

/** A repository as ECR answers with it. */
export function repositoryShape(repo: RepositoryRow, ctx: RequestContext, env: EcrEnv): Record<string, unknown> {
  return {
    repositoryArn: repositoryArn(ctx.config, repo.name),
    registryId: ctx.config.accountId,
    repositoryName: repo.name,
    repositoryUri: repositoryUri(env.registry.address, repo.name),
    createdAt: repo.createdAt / 1000,
    imageTagMutability: repo.tagMutability,
    imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    encryptionConfiguration: repo.encryption,
  };
}

/**
 * The two settings the registry enforces. The `_WITH_EXCLUSION` variants (per-tag exceptions)
 * are refused rather than stored and silently not applied.
 */
function tagMutabilityOf(value: string | undefined, exclusions: unknown[] | undefined): TagMutability | undefined {
  if (exclusions !== undefined) throw invalidParameter("imageTagMutabilityExclusionFilters are not supported by this registry.");
  if (value === undefined || value === "MUTABLE" || value === "IMMUTABLE") return value;
  throw invalidParameterAt("imageTagMutability", "Member must satisfy enum value set: [MUTABLE, IMMUTABLE]");
}

const ENCRYPTION_TYPES: readonly EncryptionType[] = ["AES256", "KMS", "KMS_DSSE"];

/** Accepted and reported as given (the registry's storage is the data directory's, not KMS's). */
function encryptionOf(value: { encryptionType?: string; kmsKey?: string } | undefined): EncryptionSettings {
  if (value === undefined) return { encryptionType: "AES256" };
  const type = required(value.encryptionType, "encryptionConfiguration.encryptionType");
  if (!(ENCRYPTION_TYPES as readonly string[]).includes(type)) {
    throw invalidParameterAt("encryptionConfiguration.encryptionType", "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
  }
  if (type === "AES256" && value.kmsKey !== undefined) throw invalidParameter("Invalid parameter: kmsKey can only be specified when encryptionType is KMS or KMS_DSSE");
  if (value.kmsKey !== undefined && (value.kmsKey.length < 1 || value.kmsKey.length > 2048)) {
    throw invalidParameterAt("encryptionConfiguration.kmsKey", "Member must have length less than or equal to 2048");
  }
  return { encryptionType: type as EncryptionType, ...(value.kmsKey !== undefined ? { kmsKey: value.kmsKey } : {}) };
}

interface CreateRepositoryInput {
  registryId?: string;
  repositoryName?: string;
  tags?: Partial<Tag>[];
  imageTagMutability?: string;
  imageTagMutabilityExclusionFilters?: unknown[];
  imageScanningConfiguration?: { scanOnPush?: boolean };
  encryptionConfiguration?: { encryptionType?: string; kmsKey?: string };
}

const createRepository: EcrHandler = (raw, ctx, env) => {
  const input = raw as CreateRepositoryInput;
  const name = repositoryNameIn(input, ctx);
  const tagMutability = tagMutabilityOf(input.imageTagMutability, input.imageTagMutabilityExclusionFilters) ?? "MUTABLE";
  const encryption = encryptionOf(input.encryptionConfiguration);
  const tags = checkTags(input.tags ?? []);
  checkTagCount([], tags);
  const row = { name, createdAt: ctx.clock.now(), tagMutability, scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false, encryption };
  ctx.store.tx(() => {
    if (env.repositories.count() >= MAX_REPOSITORIES) {
      throw limitExceeded(`The maximum number of repositories (${MAX_REPOSITORIES}) in the registry with id '${ctx.config.accountId}' has been reached`);
    }
    if (!env.repositories.insert(row)) throw repositoryAlreadyExists(name, ctx.config.accountId);
    const arn = repositoryArn(ctx.config, name);
    // A repository of the same name deleted earlier leaves no tags behind for the new one.
    ctx.store.tags.removeAll(arn);
    ctx.store.tags.put(arn, tags);
  });
  return { repository: repositoryShape(requireRepository(env, ctx, name), ctx, env) };
};

interface DescribeRepositoriesInput {
  registryId?: string;
  repositoryNames?: string[];
  nextToken?: string;
  maxResults?: number;
}

const describeRepositories: EcrHandler = (raw, ctx, env) => {
  const input = raw as DescribeRepositoriesInput;
  if (input.registryId !== undefined) checkRegistryId(input.registryId);
  const foreign = input.registryId !== undefined && input.registryId !== ctx.config.accountId;
  if (input.repositoryNames !== undefined) {
    const names = input.repositoryNames;
    if (names.length < 1 || names.length > 100) throw invalidParameterAt("repositoryNames", "Member must have length between 1 and 100");
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter("Invalid parameter: maxResults and nextToken cannot be used when repositoryNames are specified");
    }
    const repos = names.map((n) => {
      checkRepositoryName(n, "repositoryNames");
      const repo = foreign ? undefined : env.repositories.get(n);
      if (!repo) throw repositoryNotFound(n, input.registryId ?? ctx.config.accountId);
      return repo;
    });
    return { repositories: repos.map((r) => repositoryShape(r, ctx, env)) };
  }
  const all = foreign ? [] : env.repositories.list();
  const { items, nextToken } = pageOf(all, (r) => r.name, input.nextToken, maxResultsOf(input.maxResults));
  return { repositories: items.map((r) => repositoryShape(r, ctx, env)), ...(nextToken ? { nextToken } : {}) };
};

/**
 * Without `force`, only a repository with no images; with it, the registry drops its images
 * first, so a failure there leaves the repository (and its settings) as it was.
 */
const deleteRepository: EcrHandler = async (raw, ctx, env) => {
  const input = raw as { registryId?: string; repositoryName?: string; force?: boolean };
  const name = repositoryNameIn(input, ctx);
  const repo = requireRepository(env, ctx, name);
  const images = await env.registry.listImages(name);
  if (images.length > 0 && input.force !== true) throw repositoryNotEmpty(name, ctx.config.accountId);
  await env.registry.deleteRepository(name);
  ctx.store.tx(() => {
    env.repositories.delete(name);
    ctx.store.tags.removeAll(repositoryArn(ctx.config, name));
  });
  return { repository: repositoryShape(repo, ctx, env) };
};

const putImageTagMutability: EcrHandler = (raw, ctx, env) => {
  const input = raw as { registryId?: string; repositoryName?: string; imageTagMutability?: string; imageTagMutabilityExclusionFilters?: unknown[] };
  const name = repositoryNameIn(input, ctx);
  const value = required(tagMutabilityOf(input.imageTagMutability, input.imageTagMutabilityExclusionFilters), "imageTagMutability");
  requireRepository(env, ctx, name);
  env.repositories.setTagMutability(name, value);
  return { registryId: ctx.config.accountId, repositoryName: name, imageTagMutability: value };
};

export const repositoryOperations: Record<string, EcrHandler> = {
  CreateRepository: createRepository,
  DescribeRepositories: describeRepositories,
  DeleteRepository: deleteRepository,
  PutImageTagMutability: putImageTagMutability,
};
