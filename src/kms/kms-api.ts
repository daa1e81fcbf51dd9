import { kmsModel } from "../model/model.js";
import { bindEnv, type EndpointDeps } from "../protocol/context.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { aliasOperations } from "./api/aliases.js";
import { cryptoOperations } from "./api/crypto.js";
import type { KmsEnv } from "./api/env.js";
import { keyOperations } from "./api/keys.js";
import { policyOperations } from "./api/policies.js";
import { rotationOperations } from "./api/rotation.js";
import { tagOperations } from "./api/tags.js";

/**
 * AWS KMS (AWS JSON 1.1, X-Amz-Target `TrentService.<Operation>`, SigV4 service `kms`) on the
 * shared endpoint. JSON types are checked against botocore's model; constraints by the handlers
 * in KMS's words (ValidationException). Blobs are base64 on the wire, as the model's blob type.
 */
export function kmsApi(env: KmsEnv): AwsJsonApi<EndpointDeps> {
  return {
    targetPrefix: "TrentService",
    signingName: "kms",
    jsonVersion: "1.1",
    model: kmsModel,
    modelChecks: "types",
    operations: bindEnv({ ...keyOperations, ...cryptoOperations, ...aliasOperations, ...policyOperations, ...rotationOperations, ...tagOperations }, env),
  };
}
