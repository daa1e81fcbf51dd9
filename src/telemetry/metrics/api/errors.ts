import { AppRunnerError } from "../../../errors/app-runner-error.js";

/** CloudWatch's own messages, so scripts matching on them behave as against AWS. */
export const invalidValue = (message: string): AppRunnerError => new AppRunnerError("CloudWatchInvalidParameterValue", message);
export const missingParameter = (name: string): AppRunnerError =>
  new AppRunnerError("CloudWatchMissingParameter", `The parameter ${name} is required.`);
export const invalidCombination = (message: string): AppRunnerError =>
  new AppRunnerError("CloudWatchInvalidParameterCombination", message);
export const invalidNextToken = (): AppRunnerError =>
  new AppRunnerError("CloudWatchInvalidNextToken", "The service couldn't process the NextToken; use the token from the previous response to the same request.");
