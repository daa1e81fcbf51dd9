import { malformed } from "./conditions.js";
import type { RequestPrincipal } from "./types.js";

/*
 * Principal/NotPrincipal of trust policies: `"*"`, or by kind: "AWS" (an account id, which IAM
 * reads as `arn:aws:iam::<id>:root` and which stands for every principal of the account, or a
 * user/role/session ARN) and "Service" (`tasks.apprunner.amazonaws.com`). IAM allows no partial
 * wildcards in principals, so matching is set membership.
 */

export interface PrincipalMatcher {
  matches(principal: RequestPrincipal | undefined): boolean;
}

const KINDS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const ACCOUNT = /^\d{12}$/;

/** An account id becomes its root ARN, the form every caller's ids include. */
export const normalizeAwsPrincipal = (id: string): string => (ACCOUNT.test(id) ? `arn:aws:iam::${id}:root` : id);

function idsOf(kind: string, raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed("Syntax errors in policy.");
  return list.map((v) => {
    if (typeof v !== "string" || v === "") throw malformed("Syntax errors in policy.");
    if (kind === "AWS" && v !== "*" && !ACCOUNT.test(v) && !/^arn:[^:]+:(iam|sts)::(\d{12}|aws):.+/.test(v)) {
      throw malformed(`Invalid principal in policy: "AWS":"${v}"`);
    }
    return v;
  });
}

export function compilePrincipal(raw: unknown): PrincipalMatcher {
  if (raw === "*") return { matches: (p) => p !== undefined };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw malformed("Syntax errors in policy.");
  const byKind = new Map<string, Set<string>>();
  for (const [kind, ids] of Object.entries(raw)) {
    if (!KINDS.has(kind)) throw malformed(`Invalid principal in policy: "${kind}"`);
    const list = idsOf(kind, ids);
    byKind.set(kind, new Set(list.map((id) => (kind === "AWS" ? normalizeAwsPrincipal(id) : kind === "Service" ? id.toLowerCase() : id))));
  }
  return {
    matches: (p) => {
      if (!p) return false;
      const allowed = byKind.get(p.type);
      if (!allowed) return false;
      if (allowed.has("*")) return true;
      for (const id of p.ids) if (allowed.has(p.type === "AWS" ? normalizeAwsPrincipal(id) : id.toLowerCase())) return true;
      return false;
    },
  };
}
