import type { Principal } from "./principal.js";
import type { Decision } from "./policy/types.js";

/**
 * One thing a call does, as IAM authorizes it: `apprunner:CreateService` on `*`,
 * `iam:PassRole` on a role's ARN, `apprunner:DeleteService` on a service's ARN. A call may need
 * several (CreateService with an InstanceRoleArn needs iam:PassRole too); every one must be allowed.
 */
export interface AuthorizationRequest {
  action: string;
  /** The resource's ARN, or "*" for actions without resource-level permissions. */
  resource: string;
  /**
   * The call's own condition keys, lower-cased names: aws:requesttag/<key>, aws:tagkeys,
   * apprunner:connectionarn, iam:passedtoservice, ... Global keys (aws:username,
   * aws:currenttime, aws:sourceip, aws:principaltag/*, ...) and resource tags
   * (aws:resourcetag/*, <service>:resourcetag/*) are added by the authorizer.
   */
  conditions?: Readonly<Record<string, string | readonly string[]>>;
}

/** What the authorizer reads of the HTTP call itself for the global condition keys. */
export interface CallFacts {
  sourceIp: string;
  secureTransport: boolean;
  /** ms since the epoch: aws:CurrentTime, aws:EpochTime. */
  time: number;
}

/** Throws AppRunnerError("AccessDenied", accessDeniedMessage(...)) for the first request not allowed; root is allowed everything. */
export interface Authorizer {
  authorize(principal: Principal, requests: readonly AuthorizationRequest[], call: CallFacts): void;
  /**
   * The identity-based decision for one request without throwing, for callers that combine it
   * with another policy (AssumeRole: the role's trust policy OR the caller's identity policy).
   */
  decide(principal: Principal, request: AuthorizationRequest, call: CallFacts): Decision;
}

/** AWS's own wording, which users search for. */
export function accessDeniedMessage(principal: Principal, action: string, resource: string, explicit: boolean): string {
  return explicit
    ? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`
    : `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}
