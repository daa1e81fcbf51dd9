import { compileArnPattern, type ArnPattern, type Match } from "./arn-pattern.js";
import { compileConditions, conditionsHold, malformed, type CompiledCondition } from "./conditions.js";
import { matchPieces, tokenize, type ResolvedPiece } from "./pattern.js";
import { compilePrincipal, type PrincipalMatcher } from "./principals.js";
import type { ConditionContext, EvaluationRequest, PolicyKind } from "./types.js";

/*
 * One statement: checked as IAM checks it when a policy is created, then compiled into
 * matchers. Actions are case-insensitive globs (`apprunner:Describe*`); resources are ARN
 * patterns; principals only in trust and resource policies.
 */

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly deny: boolean;
  /** Does the Action/NotAction element cover this action (lower-cased)? */
  coversAction(actionLower: string): boolean;
  /** Resource, Principal and Condition; -1 when a policy variable had no value. */
  appliesTo(request: EvaluationRequest): Match;
  /** Lower-cased keys the statement reads: its conditions' and its policy variables'. */
  readonly contextKeys: readonly string[];
}

/** The keys of `${key}` / `${key, 'default'}` variables anywhere in the statement. */
function variableKeys(st: Record<string, unknown>): string[] {
  return [...JSON.stringify(st).matchAll(/\$\{\s*([^,}\s]+)/g)].map((m) => (m[1] as string).toLowerCase()).filter((k) => k.includes(":"));
}

const ELEMENTS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);

/** A string or a list of strings (Action, Resource and their Not forms); callers refuse an empty list. */
function stringList(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((v): v is string => typeof v === "string")) throw malformed("Syntax errors in policy.");
  return list;
}

function actionMatcher(action: string): (actionLower: string) => boolean {
  if (action !== "*") {
    const colon = action.indexOf(":");
    if (colon <= 0) throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    const vendor = action.slice(0, colon);
    if (!/^[A-Za-z0-9-]+$/.test(vendor)) throw malformed(`Vendor ${vendor} is not valid`);
  }
  const pieces = tokenize(action.toLowerCase(), { wildcards: true, variables: false }) as ResolvedPiece[];
  if (pieces.length === 1 && typeof pieces[0] === "string") {
    const literal = pieces[0];
    return (a) => a === literal;
  }
  return (a) => matchPieces(pieces, a, 0, a.length);
}

function resourcePattern(resource: string, variables: boolean): ArnPattern {
  if (!/^\*+$/.test(resource)) {
    if (!resource.startsWith("arn:")) throw malformed(`Resource ${resource} must be in ARN format or "*".`);
    const vendor = resource.split(":")[2];
    if (vendor === undefined || vendor === "" || /[*?]/.test(vendor)) {
      throw malformed("Resource vendor must be fully qualified and cannot contain regexes.");
    }
  }
  return compileArnPattern(resource, variables);
}

/** Exactly one of an element and its Not form, or neither when `required` is false. */
function pick(st: Record<string, unknown>, name: string, required: string | undefined): { raw: unknown; not: boolean } | undefined {
  const has = name in st;
  const hasNot = `Not${name}` in st;
  if (has && hasNot) throw malformed(`Statement cannot contain both ${name} and Not${name}.`);
  if (!has && !hasNot) {
    if (required) throw malformed(required);
    return undefined;
  }
  return { raw: has ? st[name] : st[`Not${name}`], not: hasNot };
}

export function compileStatement(raw: unknown, kind: PolicyKind, variables: boolean): CompiledStatement {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw malformed("Syntax errors in policy.");
  const st = raw as Record<string, unknown>;
  for (const key of Object.keys(st)) if (!ELEMENTS.has(key)) throw malformed("Syntax errors in policy.");
  const sid = st.Sid;
  if (sid !== undefined && typeof sid !== "string") throw malformed("Syntax errors in policy.");
  if (kind === "identity" && sid !== undefined && !/^[0-9A-Za-z]*$/.test(sid)) {
    throw malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
  }
  if (st.Effect === undefined) throw malformed("Missing required field Effect");
  if (st.Effect !== "Allow" && st.Effect !== "Deny") throw malformed(`Invalid effect: ${String(st.Effect)}`);

  const actionEl = pick(st, "Action", "Policy statement must contain actions.") as { raw: unknown; not: boolean };
  const actionList = stringList(actionEl.raw);
  if (actionList.length === 0) throw malformed("Policy statement must contain actions.");
  const actions = actionList.map(actionMatcher);

  let principal: { matcher: PrincipalMatcher; not: boolean } | undefined;
  let resources: Resources | undefined;
  if (kind === "identity") {
    if ("Principal" in st || "NotPrincipal" in st) throw malformed("Policy document should not specify a principal.");
    const resEl = pick(st, "Resource", "Policy statement must contain resources.") as { raw: unknown; not: boolean };
    const list = stringList(resEl.raw);
    if (list.length === 0) throw malformed("Policy statement must contain resources.");
    resources = { patterns: list.map((r) => resourcePattern(r, variables)), not: resEl.not };
  } else {
    if (kind === "trust" && ("Resource" in st || "NotResource" in st)) throw malformed(`Has prohibited field ${"Resource" in st ? "Resource" : "NotResource"}`);
    const prEl = pick(st, "Principal", "Missing required field Principal") as { raw: unknown; not: boolean };
    principal = { matcher: compilePrincipal(prEl.raw), not: prEl.not };
    if (kind === "resource") {
      const resEl = pick(st, "Resource", "Policy statement must contain resources.") as { raw: unknown; not: boolean };
      const list = stringList(resEl.raw);
      if (list.length === 0) throw malformed("Policy statement must contain resources.");
      resources = { patterns: list.map((r) => resourcePattern(r, variables)), not: resEl.not };
    }
  }
  const conditions: CompiledCondition[] = st.Condition === undefined ? [] : compileConditions(st.Condition, variables);

  const notAction = actionEl.not;
  const cheap = conditions.filter((c) => c.cheap);
  const costly = conditions.filter((c) => !c.cheap);
  const resourcesFirst = !resources || resources.patterns.every((p) => p.cheap);
  return {
    sid,
    deny: st.Effect === "Deny",
    contextKeys: [...conditions.map((c) => c.key), ...(variables ? variableKeys(st) : [])],
    coversAction: (a) => actions.some((m) => m(a)) !== notAction,
    appliesTo: (request) => {
      if (principal) {
        const p = request.principal;
        if (principal.not ? p === undefined || principal.matcher.matches(p) : !principal.matcher.matches(p)) return 0;
      }
      // Every check must pass and each failure means "does not apply", so the cheaper go first.
      if (resourcesFirst) {
        const r = resourcesApply(resources, request);
        if (r !== 1) return r;
      }
      const c = cheap.length === 0 ? 1 : conditionsHold(cheap, request.context);
      if (c !== 1) return c;
      if (!resourcesFirst) {
        const r = resourcesApply(resources, request);
        if (r !== 1) return r;
      }
      return costly.length === 0 ? 1 : conditionsHold(costly, request.context);
    },
  };
}

interface Resources {
  patterns: ArnPattern[];
  not: boolean;
}

function resourcesApply(resources: Resources | undefined, request: EvaluationRequest): Match {
  if (!resources) return 1;
  const m = resourceMatch(resources.patterns, request.resource, request.context);
  if (m === -1) return -1;
  return (m === 1) === resources.not ? 0 : 1;
}

function resourceMatch(patterns: readonly ArnPattern[], resource: string, ctx: ConditionContext): Match {
  let unresolved = false;
  for (const p of patterns) {
    const m = p.match(resource, ctx);
    if (m === 1) return 1;
    if (m === -1) unresolved = true;
  }
  return unresolved ? -1 : 0;
}
