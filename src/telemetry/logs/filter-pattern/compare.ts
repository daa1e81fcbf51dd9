import type { ComparisonOp, Literal } from "./ast.js";
import { globMatcher } from "./wildcard.js";

/** A field value as text or a JSON scalar; objects and arrays never compare. */
export type Scalar = string | number | boolean | null;

const NUMERIC = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function asNumber(v: Scalar): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/**
 * One comparison, compiled once per pattern. Numbers compare numerically (numeric strings
 * count as numbers: space-delimited fields are always text); strings compare as globs.
 * A value that cannot be compared fails every operator except `!=`.
 */
export function comparator(op: ComparisonOp, lit: Literal): (v: Scalar) => boolean {
  if (lit.type === "string") {
    const glob = globMatcher(lit.value);
    const text = (v: Scalar): string | undefined => (v === null ? undefined : String(v));
    return op === "="
      ? (v) => {
          const t = text(v);
          return t !== undefined && glob(t);
        }
      : (v) => {
          const t = text(v);
          return t === undefined || !glob(t);
        };
  }
  const n = lit.value;
  const test: (x: number) => boolean = {
    "=": (x: number) => x === n,
    "!=": (x: number) => x !== n,
    "<": (x: number) => x < n,
    "<=": (x: number) => x <= n,
    ">": (x: number) => x > n,
    ">=": (x: number) => x >= n,
  }[op];
  return (v) => {
    const x = asNumber(v);
    return x === undefined ? op === "!=" : test(x);
  };
}
