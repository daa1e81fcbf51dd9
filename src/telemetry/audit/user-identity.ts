import { createHash } from "node:crypto";
import type { Principal } from "../../iam/sigv4/verify.js";

/** CloudTrail's userIdentity element, for the identities OpenRunner has. */
export interface UserIdentity {
  type: "Root" | "IAMUser" | "AWSAccount";
  principalId: string;
  arn?: string;
  accountId: string;
  accessKeyId?: string;
  userName?: string;
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * IAM users' unique ids start AIDA. OpenRunner's principals carry none, so one is derived
 * from the ARN: stable across restarts and the same for every call of one user.
 */
function iamUserId(arn: string): string {
  const digest = createHash("sha256").update(arn).digest();
  return `AIDA${Array.from(digest.subarray(0, 17), (b) => ID_ALPHABET[b % 32]).join("")}`;
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

function identityOf(principal: Principal): UserIdentity {
  const base = { arn: principal.arn, accountId: principal.accountId, accessKeyId: principal.accessKeyId };
  if (principal.type === "Root") return { type: "Root", principalId: principal.accountId, ...base };
  const userName = principal.userName ?? principal.arn.split("/").pop() ?? "";
  return { type: "IAMUser", principalId: iamUserId(principal.arn), ...base, userName };
}

/** The Username LookupEvents shows and looks up by: "root" for the root user, as the console's event history does. */
export function usernameOf(principal: Principal | undefined): string | undefined {
  if (!principal) return undefined;
  return principal.type === "Root" ? "root" : principal.userName ?? principal.arn.split("/").pop();
}
