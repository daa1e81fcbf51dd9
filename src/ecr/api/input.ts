import type { RequestContext } from "../../domain/api-context.js";
import { invalidParameterAt, repositoryNotFound } from "../errors.js";
import { checkRepositoryName } from "../names.js";

/*
 * ECR's constraint checks, in ECR's words. The JSON types were checked against botocore's
 * model before a handler runs (modelChecks "types"), so members can be read as their types.
 */

/** A required member, or ECR's InvalidParameterException naming it. */
export function required<T>(value: T | undefined | null, where: string): T {
  if (value === undefined || value === null) throw invalidParameterAt(where, "Member must not be null");
  return value;
}

const REGISTRY_ID = /^[0-9]{12}$/;

export function checkRegistryId(id: string, where = "registryId"): string {
  if (!REGISTRY_ID.test(id)) throw invalidParameterAt(where, "must satisfy regular expression '[0-9]{12}'");
  return id;
}

/**
 * The repository a request names, in this account's registry. A registry id of another account
 * names a repository this endpoint cannot have: not found, under the id asked about.
 */
export function repositoryNameIn(input: { registryId?: string; repositoryName?: string }, ctx: RequestContext): string {
  const name = checkRepositoryName(required(input.repositoryName, "repositoryName"));
  if (input.registryId !== undefined && checkRegistryId(input.registryId) !== ctx.config.accountId) {
    throw repositoryNotFound(name, input.registryId);
  }
  return name;
}

/** maxResults of a listing: 1 to 1000; without it, a page of 100 as ECR answers. */
export function maxResultsOf(value: number | undefined): number {
  if (value === undefined) return 100;
  if (value < 1) throw invalidParameterAt("maxResults", "Member must have value greater than or equal to 1");
  if (value > 1000) throw invalidParameterAt("maxResults", "Member must have value less than or equal to 1000");
  return value;
}

/** ECR's tag of an image: 1 to 300 characters. */
export function checkImageTag(tag: string, where = "imageTag"): string {
  if (tag.length < 1) throw invalidParameterAt(where, "Member must have length greater than or equal to 1");
  if (tag.length > 300) throw invalidParameterAt(where, "Member must have length less than or equal to 300");
  return tag;
}

/** An OCI digest as registries write it (`sha256:` and 64 hex, or another algorithm). */
export const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export type TagStatusFilter = "TAGGED" | "UNTAGGED" | "ANY";

/** The tagStatus of a ListImages or DescribeImages filter (ANY when not given). */
export function tagStatusOf(filter: { tagStatus?: string } | undefined): TagStatusFilter {
  const status = filter?.tagStatus ?? "ANY";
  if (status !== "TAGGED" && status !== "UNTAGGED" && status !== "ANY") {
    throw invalidParameterAt("filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
  }
  return status;
}

export function matchesTagStatus(tags: readonly string[], status: TagStatusFilter): boolean {
  return status === "ANY" || (status === "TAGGED") === tags.length > 0;
}
