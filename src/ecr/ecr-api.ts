import type { ApiDeps } from "../domain/api-context.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { bindEnv } from "../protocol/context.js";
import { ecrModel } from "../model/model.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { authOperations } from "./api/auth.js";
import { batchOperations } from "./api/batch.js";
import type { EcrEnv, EcrHandler } from "./api/env.js";
import { imageOperations } from "./api/images.js";
import { lifecycleOperations } from "./api/lifecycle.js";
import { lifecyclePreviewOperations } from "./api/lifecycle-preview.js";
import { repositoryOperations } from "./api/repositories.js";
import { tagOperations } from "./api/tags.js";

/** A failure that is not ECR's own answer (the registry unreachable, a bug) as ECR's ServerException; the cause is kept for the log. */
function asServerException(op: EcrHandler): EcrHandler {
  return async (input, ctx, env) => {
    try {
      return await op(input, ctx, env);
    } catch (err) {
      if (err instanceof AppRunnerError && err.httpStatus < 500) throw err;
      throw new AppRunnerError("EcrServer", "An internal error occurred in the registry. Try again later.", { cause: err });
    }
  };
}

/**
 * Amazon ECR (AWS JSON 1.1, X-Amz-Target `AmazonEC2ContainerRegistry_V20150921.<Operation>`,
 * SigV4 service `ecr`) on the shared endpoint, over the built-in registry. JSON types are
 * checked against botocore's model before a handler runs; constraints by the handlers, in
 * ECR's words (InvalidParameterException "Invalid parameter at ...").
 */
export function ecrApi(env: EcrEnv): AwsJsonApi<ApiDeps> {
  const all: Record<string, EcrHandler> = {
    ...repositoryOperations,
    ...imageOperations,
    ...batchOperations,
    ...lifecycleOperations,
    ...lifecyclePreviewOperations,
    ...tagOperations,
    ...authOperations,
  };
  return {
    targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
    signingName: "ecr",
    jsonVersion: "1.1",
    model: ecrModel,
    modelChecks: "types",
    operations: bindEnv(Object.fromEntries(Object.entries(all).map(([name, op]) => [name, asServerException(op)])), env),
  };
}
