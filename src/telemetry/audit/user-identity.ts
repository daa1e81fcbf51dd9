import { userIdOf } from "../../iam/principal-ids.js";
import type { Principal } from "../../iam/sigv4/verify.js";
import { isoSeconds } from "../../util/clock.js";

/** CloudTrail's sessionContext: present for calls made with temporary credentials. */
export interface SessionContext {
  sessionIssuer?: { type: "Role"; principalId: string; arn: string; accountId: string; userName: string };
  attributes?: { creationDate: string; mfaAuthenticated: "false" };
}

/** CloudTrail's userIdentity element, for the identities OpenRunner has. */
export interface UserIdentity {
  type: "Root" | "IAMUser" | "AssumedRole" | "AWSAccount";
  principalId: string;
  arn?: string;
  accountId: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: SessionContext;
}

/**
 * The identity's JSON by principal: the credential lookup hands out one principal object per
 * key, and every call of that key was building and stringifying the same identity again (with
 * a SHA-256 for an IAM user's id).
 */
const identities = new WeakMap<Principal, string>();
const ANONYMOUS = JSON.stringify({ type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" } satisfies UserIdentity);

/**
 * Who made the call, as JSON. Root's principalId is the account id, as CloudTrail records it. A
 * call that failed authentication has no principal; CloudTrail shows such callers as an
 * anonymous AWSAccount (principalId "", accountId "ANONYMOUS_PRINCIPAL").
 */
export function userIdentityJsonOf(principal: Principal | undefined): string {
  if (!principal) return ANONYMOUS;
  let identity = identities.get(principal);
  if (identity === undefined) {
    identity = JSON.stringify(identityOf(principal));
    identities.set(principal, identity);
  }
  return identity;
}

/**
 * CloudTrail's shapes: Root and IAMUser by their ids (a GetSessionToken session adds its
 * sessionContext attributes); a role session is AssumedRole, principalId `AROA…:<session>`,
 * with the role as its sessionIssuer.
 */
export function identityOf(principal: Principal): UserIdentity {
  const base = { principalId: userIdOf(principal), arn: principal.arn, accountId: principal.accountId, accessKeyId: principal.accessKeyId };
  const attributes = principal.issuedAt === undefined ? undefined : { creationDate: isoSeconds(principal.issuedAt), mfaAuthenticated: "false" as const };
  if (principal.type === "AssumedRole") {
    const role = principal.role;
    const sessionIssuer = role && { type: "Role" as const, principalId: role.id, arn: role.arn, accountId: principal.accountId, userName: role.name };
    return { type: "AssumedRole", ...base, sessionContext: { ...(sessionIssuer ? { sessionIssuer } : {}), ...(attributes ? { attributes } : {}) } };
  }
  const session = attributes ? { sessionContext: { attributes } } : {};
  if (principal.type === "Root") return { type: "Root", ...base, ...session };
  const userName = principal.userName ?? principal.arn.split("/").pop() ?? "";
  return { type: "IAMUser", ...base, userName, ...session };
}

/**
 * The Username LookupEvents shows and looks up by: "root" for the root user, as the console's
 * event history does; an IAM user's name; a role session's session name.
 */
export function usernameOf(principal: Principal | undefined): string | undefined {
  if (!principal) return undefined;
  if (principal.type === "Root") return "root";
  if (principal.type === "AssumedRole") return principal.role?.sessionName ?? principal.arn.split("/").pop();
  return principal.userName ?? principal.arn.split("/").pop();
}
