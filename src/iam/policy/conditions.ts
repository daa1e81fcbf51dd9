import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Match } from "./arn-pattern.js";
import { compileOperator, OPERATORS, type AnyValueMatcher } from "./operators.js";
import type { ConditionContext } from "./types.js";

/*
 * The Condition block: every operator and every key in it must hold (AND), a key's policy
 * values are ORed (NOR for the negated operators). A key absent from the request makes a
 * condition false, or true for a negated operator; `...IfExists` makes it true; `Null` tests
 * presence itself. `ForAllValues:` holds when every request value matches (and on a missing or
 * empty key), `ForAnyValue:` when at least one does (never on a missing key).
 */

type SetPrefix = "none" | "all" | "any";

export interface CompiledCondition {
  readonly key: string;
  /** Undefined for Null, whose `expectAbsent` lists the policy's true/false values. */
  readonly matcher: AnyValueMatcher | undefined;
  readonly expectAbsent: readonly boolean[];
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly set: SetPrefix;
  /** A presence test or a set lookup of literal strings: cheaper than a wildcard resource. */
  readonly cheap: boolean;
}

export const malformed = (message: string): AppRunnerError => new AppRunnerError("MalformedPolicyDocument", message);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Condition values are strings, numbers or booleans (IAM stores them as text), alone or in a list. */
function valuesOf(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw malformed("Syntax errors in policy.");
  });
}

function operatorOf(name: string): { base: string; set: SetPrefix; ifExists: boolean } {
  let base = name;
  let set: SetPrefix = "none";
  const colon = base.indexOf(":");
  if (colon >= 0) {
    const prefix = base.slice(0, colon).toLowerCase();
    if (prefix !== "forallvalues" && prefix !== "foranyvalue") throw malformed(`Invalid Condition type : ${name}`);
    set = prefix === "forallvalues" ? "all" : "any";
    base = base.slice(colon + 1);
  }
  const ifExists = /IfExists$/i.test(base);
  if (ifExists) base = base.slice(0, -"IfExists".length);
  return { base: base.toLowerCase(), set, ifExists };
}

export function compileConditions(raw: unknown, variables: boolean): CompiledCondition[] {
  if (!isRecord(raw)) throw malformed("Syntax errors in policy.");
  const out: CompiledCondition[] = [];
  for (const [name, block] of Object.entries(raw)) {
    const { base, set, ifExists } = operatorOf(name);
    const op = OPERATORS.get(base);
    if (!op && base !== "null") throw malformed(`Invalid Condition type : ${name}`);
    if (base === "null" && ifExists) throw malformed(`Invalid Condition type : ${name}`);
    if (!isRecord(block)) throw malformed("Syntax errors in policy.");
    for (const [key, rawValues] of Object.entries(block)) {
      if (!/^[^:]+:.+/.test(key)) throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      const values = valuesOf(rawValues);
      if (!op) {
        const flags = values.map((v) => v.toLowerCase());
        if (flags.some((f) => f !== "true" && f !== "false")) throw malformed(`Invalid value for condition operator Null: ${values.join(", ")}`);
        out.push({ key: key.toLowerCase(), matcher: undefined, expectAbsent: flags.map((f) => f === "true"), negated: false, ifExists, set, cheap: true });
        continue;
      }
      const matcher = compileOperator(op, name, values, variables);
      const cheap = (op.family === "String" || op.family === "Bool") && op.comparison !== "like" && !(variables && values.some((v) => v.includes("${")));
      out.push({ key: key.toLowerCase(), matcher, expectAbsent: [], negated: op.negated, ifExists, set, cheap });
    }
  }
  return out;
}

/** One request value against the condition: the operator's verdict, negation applied; -1 when a variable had no value. */
function test(c: CompiledCondition, value: string, ctx: ConditionContext): Match {
  const m = (c.matcher as AnyValueMatcher)(value, ctx);
  if (m === -1) return -1;
  if (m === -2) return 0; // not of the operator's type: never satisfies, negated or not
  return c.negated ? (m === 1 ? 0 : 1) : m;
}

export function conditionHolds(c: CompiledCondition, ctx: ConditionContext): Match {
  const values = ctx.get(c.key);
  const missing = values === undefined || values.length === 0;
  if (!c.matcher) return c.expectAbsent.includes(missing) ? 1 : 0;
  if (missing) {
    if (c.ifExists || c.set === "all") return 1;
    if (c.set === "any") return 0;
    return c.negated ? 1 : 0;
  }
  // Unqualified: a positive operator holds when some value matches, a negated one when none does.
  const every = c.set === "all" || (c.set === "none" && c.negated);
  for (const v of values) {
    const m = test(c, v, ctx);
    if (m === -1) return -1;
    if (every && m === 0) return 0;
    if (!every && m === 1) return 1;
  }
  return every ? 1 : 0;
}

/** The whole block: 1 when every condition holds. */
export function conditionsHold(conditions: readonly CompiledCondition[], ctx: ConditionContext): Match {
  for (const c of conditions) {
    const m = conditionHolds(c, ctx);
    if (m !== 1) return m;
  }
  return 1;
}
