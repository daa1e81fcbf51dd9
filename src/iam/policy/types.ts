/**
 * The policy engine's contract (src/iam/policy/): IAM's JSON policy grammar, compiled once and
 * evaluated on every call. Pure: no store, no clock; everything a condition reads comes from
 * the request's context.
 */

/**
 * Which grammar a document is checked against: identity policies have no Principal; trust
 * policies must have one and no Resource; resource policies (KMS's key policies) have both.
 */
export type PolicyKind = "identity" | "trust" | "resource";

/**
 * Condition values of one request, by key. Keys are looked up LOWER-CASED (IAM condition key
 * names are case-insensitive; `aws:resourcetag/Owner` is asked as `aws:resourcetag/owner`).
 * Absent keys return undefined (what Null and ...IfExists test). Values are strings, as IAM
 * compares them: numbers, dates ("2026-12-05T10:00:00Z" or epoch seconds), booleans ("true"),
 * IP addresses and ARNs are all text the operator parses.
 */
export interface ConditionContext {
  get(key: string): readonly string[] | undefined;
}

/** Who asks, for trust policies' Principal/NotPrincipal: the caller's ARNs and account, or an AWS service. */
export interface RequestPrincipal {
  /** "AWS": the caller's ARN(s) and account forms (`arn:aws:iam::<acct>:root`, the account id); "Service": a service principal. */
  type: "AWS" | "Service";
  ids: readonly string[];
}

export interface EvaluationRequest {
  action: string;
  resource: string;
  context: ConditionContext;
  /** Only for trust policies. */
  principal?: RequestPrincipal;
}

export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

/** A parsed, checked document ready for evaluation; what is inside is the engine's own business. */
export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly statementCount: number;
}
