import { invalidPattern } from "./errors.js";
import type { Leaf } from "./json.js";

type Path = readonly (string | number)[];

const SINGLE = new Set(["=", "<", "<=", ">", ">="]);
const show = (v: unknown): string => (v === undefined ? "]" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * `{"numeric": [">", 0, "<=", 5]}`: one comparison, or a lower bound (> or >=) followed by an
 * upper bound (< or <=), as EventBridge's rule compiler accepts them. Only JSON numbers match:
 * "5" (a string) is not a number, so no numeric range matches it.
 */
export function numericMatcher(spec: unknown, path: Path): (v: Leaf) => boolean {
  if (!Array.isArray(spec)) throw invalidPattern("Value of numeric must be an array.", path);
  const [op, value, op2, value2] = spec as unknown[];
  if (typeof op !== "string") throw invalidPattern(`Invalid member in numeric match: ${show(op)}`, path);
  if (!SINGLE.has(op)) throw invalidPattern(`Unrecognized numeric range operator: ${op}`, path);
  if (typeof value !== "number") throw invalidPattern(`Value of ${op === "=" ? "equals" : op} must be numeric`, path);
  const first = compare(op, value);
  if (spec.length === 2) return (v) => typeof v === "number" && first(v);
  if (op !== ">" && op !== ">=") throw invalidPattern("Too many elements in numeric expression", path);
  if (typeof op2 !== "string") throw invalidPattern(`Bad value in numeric range: ${show(op2)}`, path);
  if (op2 !== "<" && op2 !== "<=") throw invalidPattern(`Bad numeric range operator: ${op2}`, path);
  if (typeof value2 !== "number") throw invalidPattern(`Value of ${op2} must be numeric`, path);
  if (spec.length > 4) throw invalidPattern("Too many terms in numeric range expression", path);
  if (value2 <= value) throw invalidPattern("Bottom must be less than top", path);
  const second = compare(op2, value2);
  return (v) => typeof v === "number" && first(v) && second(v);
}

function compare(op: string, bound: number): (v: number) => boolean {
  switch (op) {
    case "=":
      return (v) => v === bound;
    case "<":
      return (v) => v < bound;
    case "<=":
      return (v) => v <= bound;
    case ">":
      return (v) => v > bound;
    default:
      return (v) => v >= bound;
  }
}
