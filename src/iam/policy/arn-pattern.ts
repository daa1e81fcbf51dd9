import {
  hasVariables,
  isLiteral,
  matchPieces,
  resolvePieces,
  ONE,
  STAR,
  tokenize,
  type Piece,
  type ResolvedPiece,
} from "./pattern.js";
import type { ConditionContext } from "./types.js";

/*
 * ARNs as IAM compares them (Resource/NotResource and the Arn* condition operators): the six
 * colon-separated parts `arn:partition:service:region:account:resource` are matched one by one,
 * case-sensitively, so a wildcard in the region never eats into the account. The pattern's last
 * part takes the rest of the ARN, colons included: `arn:aws:logs:*` covers every Logs ARN and
 * `*` covers everything, as IAM reads them.
 */

/** 1 matches, 0 does not, -1 a policy variable had no value (the statement does not apply). */
export type Match = 1 | 0 | -1;

export interface ArnPattern {
  readonly text: string;
  /** A constant, an equality or a prefix test: cheaper than any condition. */
  readonly cheap: boolean;
  match(value: string, ctx: ConditionContext): Match;
}

const ARN_PARTS = 6;

/** Splits pieces on the literal colons of the first five separators. */
function segmentsOf(pieces: readonly Piece[]): Piece[][] {
  const segments: Piece[][] = [[]];
  for (const p of pieces) {
    if (typeof p !== "string" || segments.length === ARN_PARTS) {
      (segments[segments.length - 1] as Piece[]).push(p);
      continue;
    }
    const parts = p.split(":");
    parts.forEach((part, i) => {
      if (i > 0) {
        if (segments.length < ARN_PARTS) segments.push([]);
        else (segments[segments.length - 1] as Piece[]).push(":");
      }
      if (part) (segments[segments.length - 1] as Piece[]).push(part);
    });
  }
  return segments;
}

function matchSegments(segments: readonly (readonly ResolvedPiece[])[], value: string): boolean {
  let from = 0;
  const last = segments.length - 1;
  for (let i = 0; i < last; i++) {
    const colon = value.indexOf(":", from);
    if (colon < 0 || !matchPieces(segments[i] as ResolvedPiece[], value, from, colon)) return false;
    from = colon + 1;
  }
  return matchPieces(segments[last] as ResolvedPiece[], value, from, value.length);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The same segment-wise match as `matchSegments`, as one anchored expression: wildcards stop at `:` except in the last part. */
function segmentsRegExp(segments: readonly (readonly ResolvedPiece[])[]): RegExp {
  const last = segments.length - 1;
  const source = segments
    .map((seg, i) => {
      const [star, one] = i === last ? ["[\\s\\S]*", "[\\s\\S]"] : ["[^:]*", "[^:]"];
      return seg.map((p) => (p === STAR ? star : p === ONE ? one : escapeRe(p))).join("");
    })
    .join(":");
  return new RegExp(`^${source}$`);
}

export function compileArnPattern(text: string, variables: boolean): ArnPattern {
  const pieces = tokenize(text, { wildcards: true, variables });
  if (pieces.length > 0 && pieces.every((p) => p === STAR)) return { text, cheap: true, match: () => 1 };
  if (isLiteral(pieces)) {
    const literal = pieces.join("");
    return { text, cheap: true, match: (value) => (value === literal ? 1 : 0) };
  }
  const [head, tail] = pieces;
  if (pieces.length === 2 && typeof head === "string" && tail === STAR) {
    // `arn:aws:apprunner:us-east-1:111122223333:service/*`: the star is in the last part, which crosses colons.
    return { text, cheap: true, match: (value) => (value.startsWith(head) ? 1 : 0) };
  }
  const segments = segmentsOf(pieces);
  if (!hasVariables(pieces)) {
    // Built once here, never per call: V8's regular expressions beat walking six segments by hand.
    const re = segmentsRegExp(segments as ResolvedPiece[][]);
    // The leading literal must start the value and the last literal (the resource's name, usually) appear in it:
    // two string tests turn most misses away before the RegExp runs.
    const prefix = typeof head === "string" ? head : "";
    const literals = pieces.filter((p): p is string => typeof p === "string");
    const needle = literals.length > 1 ? (literals[literals.length - 1] as string) : "";
    return { text, cheap: false, match: (value) => (value.startsWith(prefix) && value.includes(needle) && re.test(value) ? 1 : 0) };
  }
  return {
    text,
    cheap: false,
    match: (value, ctx) => {
      const resolved: ResolvedPiece[][] = [];
      for (const s of segments) {
        const r = resolvePieces(s, ctx);
        if (r === undefined) return -1;
        resolved.push(r);
      }
      return matchSegments(resolved, value) ? 1 : 0;
    },
  };
}

/** Whether a text has the six parts of an ARN (what the Arn* operators require of a request value). */
export function looksLikeArn(value: string): boolean {
  let colons = 0;
  for (let i = value.indexOf(":"); i >= 0 && colons < 5; i = value.indexOf(":", i + 1)) colons++;
  return colons >= 5 && value.startsWith("arn:");
}
