import { AppRunnerError } from "../errors/app-runner-error.js";

/* KMS's exceptions in KMS's own words, which scripts match on. */

export const keyNotFound = (keyArn: string): AppRunnerError => new AppRunnerError("KmsNotFound", `Key '${keyArn}' does not exist`);

export const aliasNotFound = (aliasArn: string): AppRunnerError => new AppRunnerError("KmsNotFound", `Alias ${aliasArn} is not found.`);

export const invalidKeyId = (keyId: string): AppRunnerError => new AppRunnerError("KmsNotFound", `Invalid keyId '${keyId}'`);

export const keyDisabled = (keyArn: string): AppRunnerError => new AppRunnerError("KmsDisabled", `${keyArn} is disabled.`);

export const keyPendingDeletion = (keyArn: string): AppRunnerError => new AppRunnerError("KmsInvalidState", `${keyArn} is pending deletion.`);

export const keyNotPendingDeletion = (keyArn: string): AppRunnerError => new AppRunnerError("KmsInvalidState", `${keyArn} is not pending deletion.`);

export const incorrectKey = (): AppRunnerError =>
  new AppRunnerError("KmsIncorrectKey", "The key ID in the request does not identify a CMK that can perform this operation.");
