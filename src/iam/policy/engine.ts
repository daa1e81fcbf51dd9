import { malformed } from "./conditions.js";
import { compileStatement, type CompiledStatement } from "./statement.js";
import type { CompiledPolicy, ConditionContext, Decision, EvaluationRequest, PolicyKind, RequestPrincipal } from "./types.js";

/*
 * IAM's policy grammar compiled once per document, evaluated on every call: explicit deny over
 * allow over implicit deny across every policy given. Each policy remembers which of its
 * statements cover an action, so a call looks at the few statements about its action and no
 * pattern is matched twice for the same action.
 */

const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
/** Distinct actions remembered per policy; APIs have a few hundred, so this only bounds the odd caller. */
const ACTION_CACHE_LIMIT = 2048;

class Policy implements CompiledPolicy {
  readonly statementCount: number;
  readonly contextKeys: ReadonlySet<string>;
  private readonly byAction = new Map<string, readonly CompiledStatement[]>();

  constructor(
    readonly kind: PolicyKind,
    readonly version: string,
    private readonly statements: readonly CompiledStatement[],
  ) {
    this.statementCount = statements.length;
    this.contextKeys = new Set(statements.flatMap((s) => s.contextKeys));
  }

  /** The statements whose Action/NotAction covers `action`. */
  statementsFor(action: string): readonly CompiledStatement[] {
    const cached = this.byAction.get(action);
    if (cached) return cached;
    const lower = action.toLowerCase();
    const found = this.statements.filter((s) => s.coversAction(lower));
    if (this.byAction.size < ACTION_CACHE_LIMIT) this.byAction.set(action, found);
    return found;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed("Syntax errors in policy.");
  }
}

/** Parses and checks a policy document; AppRunnerError("MalformedPolicyDocument") when IAM would refuse it. */
export function parsePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  const doc = parseJson(text);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw malformed("Syntax errors in policy.");
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) if (!TOP_LEVEL.has(key)) throw malformed("Syntax errors in policy.");
  const version = top.Version === undefined ? "2008-10-17" : top.Version;
  if (typeof version !== "string" || !VERSIONS.has(version)) throw malformed("The policy failed legacy parsing");
  if (top.Id !== undefined && typeof top.Id !== "string") throw malformed("Syntax errors in policy.");
  const raw = top.Statement;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) throw malformed("Syntax errors in policy.");
  const variables = version === "2012-10-17";
  const statements = (Array.isArray(raw) ? raw : [raw]).map((s) => compileStatement(s, kind, variables));
  const sids = statements.map((s) => s.sid).filter((s): s is string => s !== undefined && s !== "");
  if (new Set(sids).size !== sids.length) throw malformed("Statement IDs (SID) in a single policy must be unique.");
  return new Policy(kind, version, statements);
}

/** Explicit deny over allow over implicit deny, across every policy given. */
export function evaluate(policies: readonly CompiledPolicy[], request: EvaluationRequest): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const s of (policy as Policy).statementsFor(request.action)) {
      if (allowed && !s.deny) continue; // once allowed, only a deny can change the answer
      if (s.appliesTo(request) !== 1) continue;
      if (s.deny) return "ExplicitDeny";
      allowed = true;
    }
  }
  return allowed ? "Allow" : "ImplicitDeny";
}

/**
 * The lower-cased context keys the policies read (condition keys and policy variables), so a
 * caller can skip building context it would not use.
 */
export function contextKeysOf(policies: readonly CompiledPolicy[]): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const p of policies) for (const k of (p as Policy).contextKeys) keys.add(k);
  return keys;
}

/** Does a role's trust policy let `principal` perform `action` (sts:AssumeRole by default)? */
export function trustAllows(
  trustPolicy: CompiledPolicy,
  principal: RequestPrincipal,
  context: ConditionContext,
  action = "sts:AssumeRole",
): boolean {
  return evaluate([trustPolicy], { action, resource: "*", context, principal }) === "Allow";
}

/** A condition context over plain values; keys are lower-cased here, so callers may write them as IAM spells them. */
export function contextOf(values: Readonly<Record<string, string | readonly string[] | undefined>>): ConditionContext {
  const map = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) map.set(k.toLowerCase(), typeof v === "string" ? [v] : v);
  return { get: (key) => map.get(key) };
}
