import type { ConditionContext } from "./types.js";

/*
 * Text of a policy as IAM reads it: literal runs, the two wildcards (`*` any run, `?` one
 * character) and policy variables (`${aws:username}`, `${key, 'default'}`), with `${*}`, `${?}`
 * and `${$}` as escapes for the literal characters. Tokenized once at parse time; matching walks
 * the pieces without building a regular expression, so evaluation allocates nothing for
 * patterns without variables.
 */

export const STAR = 0;
export const ONE = 1;
export type Wildcard = typeof STAR | typeof ONE;

/** `${key}` or `${key, 'fallback'}`; the key is lower-cased (condition keys are case-insensitive). */
export interface Variable {
  readonly key: string;
  readonly fallback: string | undefined;
}

export type Piece = string | Wildcard | Variable;
export type ResolvedPiece = string | Wildcard;

export interface TokenizeOptions {
  /** `*` and `?` are wildcards (Action, Resource, StringLike, Arn*); otherwise literal. */
  wildcards: boolean;
  /** Policy variables are substituted (Version 2012-10-17 and an operator that supports them). */
  variables: boolean;
}

const ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };

/** `key` or `key, 'fallback'` (a quote inside the fallback written twice); undefined when not a variable. */
function variableOf(inner: string): Piece | undefined {
  const escaped = ESCAPES[inner.trim()];
  if (escaped !== undefined) return escaped;
  const comma = inner.indexOf(",");
  const key = (comma < 0 ? inner : inner.slice(0, comma)).trim();
  if (!/^[A-Za-z0-9_.:/+=@-]+$/.test(key)) return undefined;
  if (comma < 0) return { key: key.toLowerCase(), fallback: undefined };
  const quoted = inner.slice(comma + 1).trim();
  if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) return undefined;
  const body = quoted.slice(1, -1);
  if (/(^|[^'])'('')*([^']|$)/.test(body)) return undefined; // a lone quote inside the fallback
  return { key: key.toLowerCase(), fallback: body.replace(/''/g, "'") };
}

export function tokenize(text: string, opts: TokenizeOptions): Piece[] {
  const out: Piece[] = [];
  let literal = "";
  const flush = (): void => {
    if (literal) out.push(literal);
    literal = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (opts.variables && c === "$" && text[i + 1] === "{") {
      const close = text.indexOf("}", i + 2);
      const piece = close < 0 ? undefined : variableOf(text.slice(i + 2, close));
      if (piece !== undefined && close >= 0) {
        if (typeof piece === "string") literal += piece;
        else {
          flush();
          out.push(piece);
        }
        i = close;
        continue;
      }
    }
    if (opts.wildcards && (c === "*" || c === "?")) {
      flush();
      out.push(c === "*" ? STAR : ONE);
      continue;
    }
    literal += c;
  }
  flush();
  return out;
}

export const isVariable = (p: Piece): p is Variable => typeof p === "object";
export const hasVariables = (pieces: readonly Piece[]): boolean => pieces.some(isVariable);
export const isLiteral = (pieces: readonly Piece[]): pieces is string[] => pieces.every((p) => typeof p === "string");

/** A variable's value: the key's one value, else the fallback; undefined when it cannot be resolved. */
export function variableValue(v: Variable, ctx: ConditionContext): string | undefined {
  const values = ctx.get(v.key);
  if (values !== undefined && values.length === 1) return values[0];
  return v.fallback;
}

/** The pieces with every variable replaced by its value; undefined when one has none. */
export function resolvePieces(pieces: readonly Piece[], ctx: ConditionContext): ResolvedPiece[] | undefined {
  const out: ResolvedPiece[] = [];
  for (const p of pieces) {
    if (!isVariable(p)) {
      out.push(p);
      continue;
    }
    const value = variableValue(p, ctx);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/** The text of pieces without wildcards (variables already resolved). */
export const literalText = (pieces: readonly ResolvedPiece[]): string => pieces.map((p) => (typeof p === "string" ? p : p === STAR ? "*" : "?")).join("");

/**
 * Glob match of `s[from, to)`: literals compared exactly, `?` one character, `*` any run. Only
 * the last `*` seen is ever backtracked to, which is enough for glob patterns.
 */
export function matchPieces(p: readonly ResolvedPiece[], s: string, from: number, to: number): boolean {
  let pi = 0;
  let si = from;
  let starPi = -1;
  let starSi = 0;
  while (si < to || pi < p.length) {
    if (pi < p.length) {
      const piece = p[pi] as ResolvedPiece;
      if (piece === STAR) {
        starPi = pi++;
        starSi = si;
        continue;
      }
      if (piece === ONE) {
        if (si < to) {
          pi++;
          si++;
          continue;
        }
      } else if (si + piece.length <= to && s.startsWith(piece, si)) {
        pi++;
        si += piece.length;
        continue;
      }
    }
    if (starPi < 0 || starSi >= to) return false;
    si = ++starSi;
    pi = starPi + 1;
  }
  return true;
}
