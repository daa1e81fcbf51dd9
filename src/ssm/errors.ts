import { AppRunnerError } from "../errors/app-runner-error.js";

/*
 * Parameter Store's exceptions in SSM's own words, so scripts that match on them behave as
 * against AWS; ParameterNotFound also names the parameter (AWS leaves its message empty), which
 * a deployment's failure message repeats.
 */

export const MAX_HIERARCHY_LEVELS = 15;
export const MAX_VERSIONS = 100;
export const MAX_LABELS_PER_VERSION = 10;

export const parameterNotFound = (name: string): AppRunnerError => new AppRunnerError("ParameterNotFound", `Parameter ${name} not found.`);

export const parameterAlreadyExists = (): AppRunnerError =>
  new AppRunnerError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");

export const versionNotFound = (name: string, version: number): AppRunnerError =>
  new AppRunnerError("ParameterVersionNotFound", `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);

export const labelLimitExceeded = (): AppRunnerError =>
  new AppRunnerError(
    "ParameterVersionLabelLimitExceeded",
    `A parameter version can have maximum ${MAX_LABELS_PER_VERSION} labels.Move one or more labels to another version and try again.`,
  );

export const maxVersionsExceeded = (name: string, oldest: number): AppRunnerError =>
  new AppRunnerError(
    "ParameterMaxVersionLimitExceeded",
    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
  );

export const hierarchyLevelLimitExceeded = (): AppRunnerError =>
  new AppRunnerError(
    "SsmHierarchyLevelLimitExceeded",
    `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the Amazon Web Services Systems Manager User Guide.`,
  );

export const validation = (message: string): AppRunnerError => new AppRunnerError("SsmValidation", message);

export const patternMismatch = (pattern: string): AppRunnerError =>
  new AppRunnerError("ParameterPatternMismatch", `Parameter value, cannot be validated against allowedPattern: ${pattern}`);

export const invalidAllowedPattern = (cause: unknown): AppRunnerError =>
  new AppRunnerError("SsmInvalidAllowedPattern", "The request does not meet the regular expression requirement.", { cause });

export const invalidKeyId = (message: string): AppRunnerError => new AppRunnerError("SsmInvalidKeyId", message);

export const invalidNextToken = (): AppRunnerError => new AppRunnerError("SsmInvalidNextToken", "The specified token isn't valid.");

export const invalidFilterKey = (message: string): AppRunnerError => new AppRunnerError("SsmInvalidFilterKey", message);
export const invalidFilterOption = (message: string): AppRunnerError => new AppRunnerError("SsmInvalidFilterOption", message);
export const invalidFilterValue = (message: string): AppRunnerError => new AppRunnerError("SsmInvalidFilterValue", message);

export const invalidResourceType = (): AppRunnerError => new AppRunnerError("SsmInvalidResourceType", "The resource type is not valid.");
export const invalidResourceId = (): AppRunnerError =>
  new AppRunnerError("SsmInvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again.");
export const tooManyTags = (): AppRunnerError =>
  new AppRunnerError("SsmTooManyTags", "The Targets parameter includes too many tags. Remove one or more tags and try the command again.");
