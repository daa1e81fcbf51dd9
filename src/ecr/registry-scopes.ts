import { PULL_ACTIONS } from "../iam/access-role.js";
import type { Authorizer } from "../iam/authorization.js";
import type { CredentialLookup } from "../iam/sigv4/verify.js";
import { OWN_PULL_SUBJECT, type RegistryScopeAuthorizer } from "../registry/types.js";
import type { Clock } from "../util/clock.js";

/**
 * ECR's actions behind `docker pull` and `docker push`, as IAM policies name them: what
 * AWSAppRunnerServicePolicyForECRAccess grants an access role to pull, and what a CI user
 * needs to push.
 */
const ECR_ACTIONS: Record<"pull" | "push", readonly string[]> = {
  pull: PULL_ACTIONS,
  push: ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
};

/**
 * The registry's token endpoint asks here for each repository a client wants: the key the
 * password was issued to must still be active (and its session unexpired), and its identity
 * policies must allow every ECR action of the pull or push on the repository's ARN.
 */
export function registryScopeAuthorizer(deps: {
  credentials: CredentialLookup;
  authorizer: Authorizer;
  region: string;
  accountId: string;
  clock: Clock;
}): RegistryScopeAuthorizer {
  return ({ accessKeyId, repository, action, sourceIp }) => {
    if (accessKeyId === OWN_PULL_SUBJECT) return true;
    const key = deps.credentials.find(accessKeyId);
    const time = deps.clock.now();
    if (!key || (key.session !== undefined && key.session.expiresAt <= time)) return false;
    const resource = `arn:aws:ecr:${deps.region}:${deps.accountId}:repository/${repository}`;
    const call = { sourceIp, secureTransport: false, time };
    return ECR_ACTIONS[action].every((a) => deps.authorizer.decide(key.principal, { action: a, resource }, call) === "Allow");
  };
}
