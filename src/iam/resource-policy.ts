import { evaluate } from "./policy/engine.js";
import type { CompiledPolicy, ConditionContext, Decision } from "./policy/types.js";
import type { Principal } from "./principal.js";

/**
 * How a resource policy's Principal names a caller, as KMS reads a key policy: `own` names the
 * caller itself (its user ARN, its assumed-role session ARN, or the role of that session), and
 * is enough on its own; `account` (the account's root ARN or id) delegates to the account, so the
 * caller's identity-based policies must allow too.
 */
export function resourcePolicyIdsOf(caller: Principal): { own: string[]; account: string[] } {
  const own = caller.type === "Root" ? [] : [caller.arn];
  if (caller.type === "AssumedRole" && caller.role) own.push(caller.role.arn);
  return { own, account: [`arn:aws:iam::${caller.accountId}:root`, caller.accountId] };
}

export interface ResourcePolicyQuery {
  policy: CompiledPolicy;
  action: string;
  resource: string;
  caller: Principal;
  context: ConditionContext;
  /** The caller's identity-based decision for `action` on `resource`. */
  identity: () => Decision;
}

export interface ResourcePolicyVerdict {
  decision: Decision;
  /** Which side refused, for AWS's message ("… in a resource-based policy" / "… identity-based policy"). */
  refusedBy?: "resource" | "identity";
}

/**
 * KMS's rule for a key policy and the caller's own policies together: an explicit deny in
 * either refuses; a key policy that allows the caller by name (or `*`) is enough; one that allows
 * only the account (the default key policy's `arn:aws:iam::<account>:root`) needs an allow in
 * the caller's identity-based policies too; otherwise the caller is refused.
 */
export function resourcePolicyDecision(q: ResourcePolicyQuery): ResourcePolicyVerdict {
  const ids = resourcePolicyIdsOf(q.caller);
  const ask = (principalIds: readonly string[]): Decision =>
    evaluate([q.policy], { action: q.action, resource: q.resource, context: q.context, principal: { type: "AWS", ids: principalIds } });
  const all = ask([...ids.own, ...ids.account]);
  if (all === "ExplicitDeny") return { decision: "ExplicitDeny", refusedBy: "resource" };
  const identity = q.identity();
  if (identity === "ExplicitDeny") return { decision: "ExplicitDeny", refusedBy: "identity" };
  if (all !== "Allow") return { decision: "ImplicitDeny", refusedBy: "resource" };
  if (ids.own.length > 0 && ask(ids.own) === "Allow") return { decision: "Allow" };
  return identity === "Allow" ? { decision: "Allow" } : { decision: "ImplicitDeny", refusedBy: "identity" };
}

/** AWS's words for a refusal that involved a resource policy. */
export function resourceAccessDeniedMessage(caller: Principal, action: string, resource: string, verdict: ResourcePolicyVerdict): string {
  const kind = verdict.refusedBy === "identity" ? "identity-based" : "resource-based";
  return verdict.decision === "ExplicitDeny"
    ? `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${kind === "identity-based" ? "an" : "a"} ${kind} policy`
    : `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because no ${kind} policy allows the ${action} action`;
}
