import { iamModel } from "../model/model.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import type { Store } from "../store/store.js";
import { iamAuthorization } from "./authorization.js";
import type { IamDeps } from "./context.js";
import { accessKeyOperations } from "./operations/access-keys.js";
import { attachmentOperationsAll } from "./operations/attachments.js";
import { groupOperations } from "./operations/groups.js";
import { inlinePolicyOperations } from "./operations/inline-policies.js";
import { instanceProfileOperations } from "./operations/instance-profiles.js";
import { managedPolicyOperations } from "./operations/managed-policies.js";
import { roleOperations } from "./operations/roles.js";
import { userOperations } from "./operations/users.js";

/**
 * IAM as OpenRunner serves it: awsQuery only (src/protocol/query/model-route.ts), signed for
 * `iam`, checked against botocore's model with its constraints (IAM answers violations as
 * ValidationError in Coral's words), recorded by the audit trail as iam.amazonaws.com with the
 * model's sensitive members (SecretAccessKey) hidden. No JSON target prefix exists for IAM;
 * the one here only names it.
 */
export function iamApi(store: Store, accountId: string): AwsJsonApi<IamDeps> {
  return {
    targetPrefix: "AWSIdentityManagementV20100508",
    signingName: "iam",
    jsonVersion: "1.0",
    model: iamModel,
    modelChecks: "all",
    // A policy document may be 128 KiB (131,072 characters), URL-encoded in a form.
    maxBodyBytes: { default: 1024 * 1024 },
    operations: {
      ...userOperations,
      ...accessKeyOperations,
      ...groupOperations,
      ...inlinePolicyOperations,
      ...managedPolicyOperations,
      ...attachmentOperationsAll,
      ...roleOperations,
      ...instanceProfileOperations,
    },
    authorization: iamAuthorization(store, accountId),
  };
}
