import type { Principal } from "./principal.js";

/** One identity-based policy document that applies to a principal, as stored (JSON text). */
export interface AppliedPolicy {
  /** Stable id for caching compiled forms: a managed policy's ARN + version id, or `inline:<entity>:<name>`. */
  id: string;
  document: string;
}

/**
 * Where the authorizer finds what applies to a caller: implemented over the store by the IAM
 * API's repositories. `revision()` changes on every IAM write (users, groups, roles, policies,
 * attachments, tags, keys), so compiled policies are cached per principal until it moves.
 */
export interface IdentityPolicySource {
  /**
   * An IAM user's inline and attached managed policies plus those of every group it is in; a
   * role session's role's inline and attached policies. Empty for a user or role that no
   * longer exists. Never called for Root (root is not subject to identity policies).
   */
  policiesOf(principal: Principal): readonly AppliedPolicy[];
  /** aws:PrincipalTag/*: the user's or role's tags (session tags are laid over them by the caller). */
  principalTags(principal: Principal): Readonly<Record<string, string>>;
  revision(): number;
}
