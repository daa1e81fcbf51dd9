import { AppRunnerError } from "../../errors/app-runner-error.js";
import { compileArnPattern, looksLikeArn, type Match } from "./arn-pattern.js";
import { cidrContains, parseCidr, parseIp } from "./ip.js";
import { hasVariables, literalText, matchPieces, resolvePieces, tokenize } from "./pattern.js";
import type { ConditionContext } from "./types.js";

/*
 * The condition operators of IAM's grammar, each compiled from its policy values into one
 * function: does a request value match ANY of the policy values (values are ORed)? Negation,
 * IfExists and the set prefixes are the condition block's business (conditions.ts).
 */

/** -2: the request value is not of the operator's type (not a number, a date, an IP, an ARN). */
export type ValueMatch = Match | -2;
export type AnyValueMatcher = (requestValue: string, ctx: ConditionContext) => ValueMatch;

type Family = "String" | "Numeric" | "Date" | "Bool" | "Binary" | "Ip" | "Arn";
type Comparison = "eq" | "ieq" | "like" | "lt" | "lte" | "gt" | "gte";

export interface OperatorSpec {
  readonly family: Family;
  readonly comparison: Comparison;
  readonly negated: boolean;
}

const spec = (family: Family, comparison: Comparison, negated = false): OperatorSpec => ({ family, comparison, negated });

/** The base operators by lower-cased name (IfExists and set prefixes stripped); Null is conditions.ts's. */
export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map(
  Object.entries({
    StringEquals: spec("String", "eq"),
    StringNotEquals: spec("String", "eq", true),
    StringEqualsIgnoreCase: spec("String", "ieq"),
    StringNotEqualsIgnoreCase: spec("String", "ieq", true),
    StringLike: spec("String", "like"),
    StringNotLike: spec("String", "like", true),
    NumericEquals: spec("Numeric", "eq"),
    NumericNotEquals: spec("Numeric", "eq", true),
    NumericLessThan: spec("Numeric", "lt"),
    NumericLessThanEquals: spec("Numeric", "lte"),
    NumericGreaterThan: spec("Numeric", "gt"),
    NumericGreaterThanEquals: spec("Numeric", "gte"),
    DateEquals: spec("Date", "eq"),
    DateNotEquals: spec("Date", "eq", true),
    DateLessThan: spec("Date", "lt"),
    DateLessThanEquals: spec("Date", "lte"),
    DateGreaterThan: spec("Date", "gt"),
    DateGreaterThanEquals: spec("Date", "gte"),
    Bool: spec("Bool", "eq"),
    BinaryEquals: spec("Binary", "eq"),
    IpAddress: spec("Ip", "eq"),
    NotIpAddress: spec("Ip", "eq", true),
    ArnEquals: spec("Arn", "like"),
    ArnLike: spec("Arn", "like"),
    ArnNotEquals: spec("Arn", "like", true),
    ArnNotLike: spec("Arn", "like", true),
  }).map(([name, s]) => [name.toLowerCase(), s]),
);

/** Families whose values may hold policy variables (IAM: strings, ARNs and Bool). */
const VARIABLE_FAMILIES: ReadonlySet<Family> = new Set(["String", "Arn", "Bool"]);

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
export const parseNumber = (text: string): number | undefined => (NUMBER.test(text.trim()) ? Number(text) : undefined);

/** ISO 8601 (date, date-time, with zone) or epoch seconds, as milliseconds. */
export function parseDate(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) return undefined;
  const ms = Date.parse(t.length === 7 ? `${t}-01` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

function compare(c: Comparison, a: number, b: number): boolean {
  switch (c) {
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
    default:
      return a === b;
  }
}

/** Any-of over typed values: `prepare` reads the request value once, `test` compares with one policy value. */
function typed<T, P>(
  policy: readonly P[],
  prepare: (v: string) => T | undefined,
  test: (request: T, policyValue: P) => boolean,
): AnyValueMatcher {
  return (value) => {
    const r = prepare(value);
    if (r === undefined) return -2;
    for (const p of policy) if (test(r, p)) return 1;
    return 0;
  };
}

const sameText = (a: string, b: string, fold: boolean): boolean => (fold ? a.toLowerCase() === b.toLowerCase() : a === b);

function strings(op: OperatorSpec, values: readonly string[], variables: boolean): AnyValueMatcher {
  const fold = op.comparison === "ieq" || op.family === "Bool";
  const pieces = values.map((v) => tokenize(v, { wildcards: op.comparison === "like", variables }));
  if (!pieces.some(hasVariables) && op.comparison !== "like") {
    const set = new Set(pieces.map((p) => (fold ? literalText(p as string[]).toLowerCase() : literalText(p as string[]))));
    return (value) => (set.has(fold ? value.toLowerCase() : value) ? 1 : 0);
  }
  return (value, ctx) => {
    let unresolved = false;
    for (const p of pieces) {
      const resolved = resolvePieces(p, ctx);
      if (resolved === undefined) unresolved = true;
      else if (op.comparison === "like" ? matchPieces(resolved, value, 0, value.length) : sameText(literalText(resolved), value, fold)) return 1;
    }
    return unresolved ? -1 : 0;
  };
}

function arns(values: readonly string[], variables: boolean): AnyValueMatcher {
  const patterns = values.map((v) => compileArnPattern(v, variables));
  return (value, ctx) => {
    if (!looksLikeArn(value)) return -2;
    let unresolved = false;
    for (const p of patterns) {
      const m = p.match(value, ctx);
      if (m === 1) return 1;
      if (m === -1) unresolved = true;
    }
    return unresolved ? -1 : 0;
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const base64 = (v: string): Uint8Array | undefined =>
  /^[A-Za-z0-9+/]*={0,2}$/.test(v.trim()) ? Buffer.from(v.trim(), "base64") : undefined;

/** Every policy value parsed; a value that is not of the operator's type makes the document malformed. */
function parsedAll<T>(values: readonly string[], parse: (v: string) => T | undefined, name: string): T[] {
  return values.map((v) => {
    const parsed = parse(v);
    if (parsed === undefined) throw new AppRunnerError("MalformedPolicyDocument", `Invalid value for condition operator ${name}: ${v}`);
    return parsed;
  });
}

/** One operator over its policy values; `variables` when the policy's Version substitutes them. */
export function compileOperator(op: OperatorSpec, name: string, values: readonly string[], variables: boolean): AnyValueMatcher {
  const vars = variables && VARIABLE_FAMILIES.has(op.family);
  switch (op.family) {
    case "String":
    case "Bool":
      return strings(op, values, vars);
    case "Arn":
      return arns(values, vars);
    case "Numeric": {
      const nums = parsedAll(values, parseNumber, name);
      return typed(nums, parseNumber, (r, p) => compare(op.comparison, r, p));
    }
    case "Date": {
      const dates = parsedAll(values, parseDate, name);
      return typed(dates, parseDate, (r, p) => compare(op.comparison, r, p));
    }
    case "Binary": {
      const blobs = parsedAll(values, base64, name);
      return typed(blobs, base64, sameBytes);
    }
    case "Ip": {
      const blocks = parsedAll(values, parseCidr, name);
      return typed(blocks, (v) => parseIp(v.trim()), (ip, block) => cidrContains(block, ip));
    }
  }
}
