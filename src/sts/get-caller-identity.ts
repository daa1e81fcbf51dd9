import { userIdOf } from "../iam/principal-ids.js";
import type { Principal } from "../iam/principal.js";
import type { StsOperation } from "./operation.js";
import { element } from "./xml.js";

/**
 * Whose key this is, for every kind of caller: root (UserId is the account id), an IAM user
 * (AIDA…), a role session (`AROA…:<session>`, Arn the assumed-role ARN). No policy can deny it,
 * as in AWS.
 */
export function callerIdentityResultXml(principal: Principal): string {
  return element("Arn", principal.arn) + element("UserId", userIdOf(principal)) + element("Account", principal.accountId);
}

export const getCallerIdentity: StsOperation = {
  trailInput: () => ({}),
  // CloudTrail records GetCallerIdentity without responseElements.
  run: ({ principal }) => ({ resultXml: callerIdentityResultXml(principal), output: {} }),
};
