import { createHash } from "node:crypto";
import type { Principal } from "./principal.js";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * An IAM user's unique id (AIDA…) for a principal that carries none (keys made before IAM
 * users had ids): derived from the ARN, so it is stable across restarts and the same for every
 * call of one user.
 */
export function derivedUserId(arn: string): string {
  const digest = createHash("sha256").update(arn).digest();
  return `AIDA${Array.from(digest.subarray(0, 17), (b) => ID_ALPHABET[b % 32]).join("")}`;
}

/**
 * aws:userid, GetCallerIdentity's UserId and CloudTrail's principalId: the account id for
 * root, the user's AIDA… id, `AROA…:<session name>` for a role session.
 */
export function userIdOf(principal: Principal): string {
  if (principal.type === "Root") return principal.accountId;
  if (principal.userId) return principal.userId;
  if (principal.type === "AssumedRole" && principal.role) return `${principal.role.id}:${principal.role.sessionName}`;
  return derivedUserId(principal.arn);
}
