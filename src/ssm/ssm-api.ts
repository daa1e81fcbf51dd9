import type { ApiDeps } from "../domain/api-context.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ssmModel } from "../model/model.js";
import { validateInput } from "../model/validate.js";
import { bindEnv } from "../protocol/context.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import type { SsmEnv, SsmHandler } from "./api/env.js";
import { getOperations } from "./api/get-parameters.js";
import { manageOperations } from "./api/manage.js";
import { putOperations } from "./api/put-parameter.js";
import { tagOperations } from "./api/tags.js";

/**
 * Each operation as SSM answers it: the model's constraints checked first (SSM's
 * ValidationException with Coral's message), KMS's refusals of a key as InvalidKeyId, and what
 * is not SSM's own answer (a bug, the disk) as InternalServerError, the cause kept for the log.
 */
function inSsmWords(operation: string, op: SsmHandler): SsmHandler {
  const inputShape = ssmModel.operations[operation]?.input?.shape;
  return (input, ctx, env) => {
    try {
      if (inputShape) {
        try {
          validateInput(inputShape, input, ssmModel, "all");
        } catch (err) {
          if (err instanceof AppRunnerError && err.code === "InvalidRequest") throw new AppRunnerError("SsmValidation", err.message);
          throw err;
        }
      }
      return op(input, ctx, env);
    } catch (err) {
      if (err instanceof AppRunnerError && err.code.startsWith("Kms")) throw new AppRunnerError("SsmInvalidKeyId", err.message, { cause: err });
      if (err instanceof AppRunnerError && err.httpStatus < 500) throw err;
      throw new AppRunnerError("SsmInternalServerError", "An error occurred on the server side.", { cause: err });
    }
  };
}

/**
 * SSM Parameter Store (AWS JSON 1.1, X-Amz-Target `AmazonSSM.<Operation>`, SigV4 service `ssm`)
 * on the shared endpoint. JSON types are checked against botocore's model before a handler runs.
 */
export function ssmApi(env: SsmEnv): AwsJsonApi<ApiDeps> {
  const all: Record<string, SsmHandler> = { ...putOperations, ...getOperations, ...manageOperations, ...tagOperations };
  return {
    targetPrefix: "AmazonSSM",
    signingName: "ssm",
    jsonVersion: "1.1",
    model: ssmModel,
    modelChecks: "types",
    operations: bindEnv(Object.fromEntries(Object.entries(all).map(([name, op]) => [name, inSsmWords(name, op)])), env),
  };
}
