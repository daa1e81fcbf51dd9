import { isoSeconds } from "../util/clock.js";
import { evaluate } from "./policy/engine.js";
import type { CompiledPolicy, ConditionContext, Decision } from "./policy/types.js";
import type { Principal } from "./principal.js";

/** A request's condition values by lower-cased key, as the policy engine asks for them. */
export function conditionContext(values: Readonly<Record<string, string | readonly string[] | undefined>>): ConditionContext {
  const map = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    map.set(k.toLowerCase(), typeof v === "string" ? [v] : v);
  }
  return { get: (key) => map.get(key.toLowerCase()) };
}

/** aws:CurrentTime and aws:EpochTime at `now`. */
export const timeConditions = (now: number): Record<string, string> => ({
  "aws:currenttime": isoSeconds(now),
  "aws:epochtime": String(Math.floor(now / 1000)),
});

/**
 * How a trust policy's Principal names a caller. `own`: the caller's own ARN (the user's, or
 * the role session's assumed-role ARN); `account`: what trusts the caller only as a member of
 * its account (the account's root ARN, the bare account id, and for a role session its role's
 * ARN), which AWS honours only with the caller's identity-based permission as well.
 */
export function trustIdsOf(caller: Principal): { own: string[]; account: string[] } {
  const account = [`arn:aws:iam::${caller.accountId}:root`, caller.accountId];
  if (caller.type === "AssumedRole" && caller.role) account.push(caller.role.arn);
  return { own: caller.type === "Root" ? [] : [caller.arn], account };
}

/**
 * AWS's rule for a role in the caller's account, from three decisions: the trust policy for
 * every form of the caller (`all`), for its own ARN alone (`own`), and the caller's
 * identity-based policies. An explicit deny anywhere refuses; a trust policy that names the
 * caller's own ARN is enough by itself; one that trusts only the account (or, for a role
 * session, the role) needs the identity policy's allow too.
 */
export function combineTrust(d: { all: Decision; own: Decision; identity: Decision }): Decision {
  if (d.all === "ExplicitDeny" || d.identity === "ExplicitDeny") return "ExplicitDeny";
  if (d.all !== "Allow") return "ImplicitDeny";
  if (d.own === "Allow") return "Allow";
  return d.identity === "Allow" ? "Allow" : "ImplicitDeny";
}

export interface TrustQuery {
  trust: CompiledPolicy;
  /** sts:AssumeRole, or sts:TagSession when the call passes session tags. */
  action: string;
  roleArn: string;
  caller: Principal;
  context: ConditionContext;
  /** The caller's identity-based decision for `action` on the role; asked only when the trust policy allows the caller at all. */
  identity: () => Decision;
}

/** Whether `caller` may take `action` on the role: its trust policy and the caller's own policies together. */
export function trustDecision(q: TrustQuery): Decision {
  const ids = trustIdsOf(q.caller);
  const ask = (principalIds: readonly string[]): Decision =>
    evaluate([q.trust], { action: q.action, resource: q.roleArn, context: q.context, principal: { type: "AWS", ids: principalIds } });
  const all = ask([...ids.own, ...ids.account]);
  if (all !== "Allow") return all;
  const identity = q.identity();
  return combineTrust({ all, own: identity === "ExplicitDeny" ? "ImplicitDeny" : ask(ids.own), identity });
}

/** Whether a role's trust policy lets an AWS service principal (build.apprunner.amazonaws.com, …) assume it. */
export function serviceTrustDecision(trust: CompiledPolicy, service: string, roleArn: string, context: ConditionContext): Decision {
  return evaluate([trust], { action: "sts:AssumeRole", resource: roleArn, context, principal: { type: "Service", ids: [service] } });
}
