import { openRunnerAuthorization } from "./authorization.js";
import type { ApiDeps } from "../../domain/api-context.js";
import { completeHandshake } from "../../domain/connection-handshake.js";
import { invalidRequest } from "../../errors/app-runner-error.js";
import { SecretBox } from "../../iam/secret-box.js";
import type { AwsJsonApi } from "../../protocol/service-registry.js";
import { LIST_SERVICE_INSTANCES, listServiceInstances } from "./list-service-instances.js";
import { openRunnerModel } from "./model.js";
import { LIST_SERVICE_DEPLOYMENTS, ROLLBACK_SERVICE, listServiceDeployments, rollbackService } from "./service-deployments.js";
import { DESCRIBE_ROLLOUT, describeRollout } from "./describe-rollout.js";

/** `X-Amz-Target: OpenRunner.<Operation>`: OpenRunner's own operations, beside App Runner's. */
export const OPENRUNNER_TARGET_PREFIX = "OpenRunner";
export const COMPLETE_CONNECTION_HANDSHAKE = "CompleteConnectionHandshake";

/** Longer than any GitHub token or Bitbucket app password; a bound on what gets sealed. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * OpenRunner's own AWS JSON 1.0 API. Signed as `apprunner` (the console and SDK signers need
 * nothing new) and recorded in the audit trail as apprunner.amazonaws.com. Its small model
 * (./model.ts) checks JSON types first; values are checked here, and the trail hides the
 * `Token` member by name (redact-unmodeled.ts).
 */
export function openRunnerApi(box: () => SecretBox): AwsJsonApi<ApiDeps> {
  return {
    targetPrefix: OPENRUNNER_TARGET_PREFIX,
    signingName: "apprunner",
    jsonVersion: "1.0",
    model: openRunnerModel,
    modelChecks: "types",
    trailRedaction: "names",
    authorization: openRunnerAuthorization,
    operations: {
      /**
       * The console's "Complete handshake": `{ ConnectionArn, Token }` -> `{ Connection }`.
       * The token is sealed with the data directory's key and never returned or logged.
       */
      [COMPLETE_CONNECTION_HANDSHAKE]: (input, ctx) => {
        const { ConnectionArn: arn, Token: token } = input;
        if (typeof arn !== "string" || arn === "") throw invalidRequest("ConnectionArn is required.");
        if (token !== undefined && token !== null && typeof token !== "string") throw invalidRequest("Token must be a string.");
        if (typeof token === "string" && token.length > MAX_TOKEN_LENGTH) {
          throw invalidRequest(`The provider token is longer than ${MAX_TOKEN_LENGTH} characters.`);
        }
        return { Connection: completeHandshake(ctx, box(), arn, token ?? "") };
      },
      [LIST_SERVICE_INSTANCES]: listServiceInstances,
      [LIST_SERVICE_DEPLOYMENTS]: listServiceDeployments,
      [ROLLBACK_SERVICE]: rollbackService,
      [DESCRIBE_ROLLOUT]: describeRollout,
    },
  };
}
