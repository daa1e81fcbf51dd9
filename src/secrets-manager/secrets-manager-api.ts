import type { ApiDeps } from "../domain/api-context.js";
import { secretsManagerModel } from "../model/model.js";
import { bindEnv } from "../protocol/context.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import type { SecretsEnv, SecretsHandler } from "./api/env.js";
import { listOperations } from "./api/list.js";
import { secretOperations } from "./api/secrets.js";
import { tagOperations } from "./api/tags.js";
import { valueOperations } from "./api/values.js";

/**
 * AWS Secrets Manager (AWS JSON 1.1, X-Amz-Target `secretsmanager.<Operation>`, SigV4 service
 * `secretsmanager`) on the shared endpoint. Requests are checked against botocore's model
 * (types and constraints, Coral's words); the model's `sensitive` shapes (SecretString,
 * SecretBinary) are what the audit trail hides.
 */
export function secretsManagerApi(env: SecretsEnv): AwsJsonApi<ApiDeps> {
  const all: Record<string, SecretsHandler> = { ...secretOperations, ...valueOperations, ...listOperations, ...tagOperations };
  return {
    targetPrefix: "secretsmanager",
    signingName: "secretsmanager",
    jsonVersion: "1.1",
    model: secretsManagerModel,
    operations: bindEnv(all, env),
  };
}
