import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { CompiledPolicy, Decision, EvaluationRequest, PolicyKind } from "./types.js";

/*
 * CONTRACT STUB (issue 17): the signatures are final, the body is a placeholder that knows only
 * Effect, Action and Resource with `*` wildcards. The policy engine's owner replaces it with the
 * whole grammar (NotAction, NotResource, Principal, Condition, variables).
 */

interface Statement {
  effect: "Allow" | "Deny";
  actions: RegExp[];
  resources: RegExp[];
}

interface StubPolicy extends CompiledPolicy {
  statements: Statement[];
}

const wildcard = (p: string): RegExp => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
const list = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Parses and checks a policy document; AppRunnerError("MalformedPolicyDocument") when IAM would refuse it. */
export function parsePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AppRunnerError("MalformedPolicyDocument", "Syntax errors in policy.");
  }
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]).map((s): Statement => {
    const st = s as Record<string, unknown>;
    return {
      effect: st.Effect === "Deny" ? "Deny" : "Allow",
      actions: list(st.Action).map(wildcard),
      resources: (kind === "trust" ? ["*"] : list(st.Resource)).map(wildcard),
    };
  });
  const policy: StubPolicy = { kind, statementCount: statements.length, statements };
  return policy;
}

/** Explicit deny over allow over implicit deny, across every policy given. */
export function evaluate(policies: readonly CompiledPolicy[], request: EvaluationRequest): Decision {
  let allowed = false;
  for (const p of policies as readonly StubPolicy[]) {
    for (const s of p.statements) {
      if (!s.actions.some((a) => a.test(request.action)) || !s.resources.some((r) => r.test(request.resource))) continue;
      if (s.effect === "Deny") return "ExplicitDeny";
      allowed = true;
    }
  }
  return allowed ? "Allow" : "ImplicitDeny";
}
