import { AppRunnerError } from "../errors/app-runner-error.js";

/*
 * ECR's exceptions in ECR's own words (its messages name the repository and the registry id,
 * which is the account), so scripts that match on them behave as against AWS.
 */

export const repositoryNotFound = (name: string, registryId: string): AppRunnerError =>
  new AppRunnerError("EcrRepositoryNotFound", `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);

export const repositoryAlreadyExists = (name: string, registryId: string): AppRunnerError =>
  new AppRunnerError("EcrRepositoryAlreadyExists", `The repository with name '${name}' already exists in the registry with id '${registryId}'`);

export const repositoryNotEmpty = (name: string, registryId: string): AppRunnerError =>
  new AppRunnerError(
    "EcrRepositoryNotEmpty",
    `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
  );

export const lifecyclePolicyNotFound = (name: string, registryId: string): AppRunnerError =>
  new AppRunnerError(
    "EcrLifecyclePolicyNotFound",
    `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
  );

export const lifecyclePolicyPreviewNotFound = (name: string, registryId: string): AppRunnerError =>
  new AppRunnerError(
    "EcrLifecyclePolicyPreviewNotFound",
    `Lifecycle policy preview does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
  );

/** How ECR prints an image id in its messages: `{imageDigest:'…', imageTag:'…'}`, the members given. */
export function imageIdText(id: { imageDigest?: string; imageTag?: string }): string {
  const parts = [
    ...(id.imageDigest !== undefined ? [`imageDigest:'${id.imageDigest}'`] : []),
    ...(id.imageTag !== undefined ? [`imageTag:'${id.imageTag}'`] : []),
  ];
  return `{${parts.join(", ")}}`;
}

export const imageNotFound = (id: { imageDigest?: string; imageTag?: string }, name: string, registryId: string): AppRunnerError =>
  new AppRunnerError(
    "EcrImageNotFound",
    `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
  );

/** ECR's InvalidParameterException: "Invalid parameter at '<where>' failed to satisfy constraint: '<what>'". */
export const invalidParameterAt = (where: string, constraint: string): AppRunnerError =>
  new AppRunnerError("InvalidParameter", `Invalid parameter at '${where}' failed to satisfy constraint: '${constraint}'`);

export const invalidParameter = (message: string): AppRunnerError => new AppRunnerError("InvalidParameter", message);

export const invalidTagParameter = (message: string): AppRunnerError => new AppRunnerError("EcrInvalidTagParameter", message);

export const tooManyTags = (message: string): AppRunnerError => new AppRunnerError("EcrTooManyTags", message);

export const limitExceeded = (message: string): AppRunnerError => new AppRunnerError("EcrLimitExceeded", message);
