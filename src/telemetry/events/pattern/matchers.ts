import { cidrMatcher } from "./cidr.js";
import { invalidPattern } from "./errors.js";
import { isJsonObject, type JsonObject, type JsonValue, type Leaf } from "./json.js";
import { numericMatcher } from "./numeric.js";
import { wildcardMatcher } from "./wildcard.js";

type Path = readonly (string | number)[];

/**
 * One element of a field's array in a pattern. `exists` looks at whether the field has a value
 * at all; every other operator tests each of the field's leaf values and matches if one passes.
 */
export type LeafMatcher = { kind: "exists"; present: boolean } | { kind: "test"; test: (v: Leaf) => boolean };

const test = (fn: (v: Leaf) => boolean): LeafMatcher => ({ kind: "test", test: fn });
const onStrings = (fn: (v: string) => boolean) => (v: Leaf) => typeof v === "string" && fn(v);

/** A plain value in the pattern: equal values of the same JSON type (300 and 3.0e2 are one number). */
export function exactMatcher(value: Leaf): LeafMatcher {
  return test((v) => v === value);
}

/** `{ "<operator>": ... }` inside a field's array. */
export function matchExpression(expr: JsonObject, path: Path): LeafMatcher {
  const keys = Object.keys(expr);
  const op = keys[0];
  if (op === undefined) throw invalidPattern("Match expression name not found", path);
  if (keys.length > 1) throw invalidPattern("Only one key allowed in match expression", path);
  const spec = expr[op];
  const at = [...path, op];
  switch (op) {
    case "prefix":
      return test(onStrings(affixTest(spec, "prefix", at)));
    case "suffix":
      return test(onStrings(affixTest(spec, "suffix", at)));
    case "equals-ignore-case": {
      if (typeof spec !== "string") throw invalidPattern("equals-ignore-case match pattern must be a string", at);
      const lower = spec.toLowerCase();
      return test(onStrings((v) => v.toLowerCase() === lower));
    }
    case "wildcard":
      return test(onStrings(wildcardMatcher(spec, at)));
    case "numeric":
      return test(numericMatcher(spec, at));
    case "cidr":
      return test(onStrings(cidrMatcher(spec, at)));
    case "exists":
      if (typeof spec !== "boolean") throw invalidPattern("exists match pattern must be either true or false.", at);
      return { kind: "exists", present: spec };
    case "anything-but": {
      const excluded = anythingBut(spec, at);
      return test((v) => !excluded(v));
    }
    default:
      throw invalidPattern(`Unrecognized match type ${op}`, path);
  }
}

/** prefix/suffix: a string, or `{"equals-ignore-case": "..."}` to ignore case. */
function affixTest(spec: JsonValue | undefined, op: "prefix" | "suffix", path: Path): (v: string) => boolean {
  let text = spec;
  let ignoreCase = false;
  if (isJsonObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1 || keys[0] !== "equals-ignore-case") {
      throw invalidPattern(`Unsupported ${op} pattern: ${keys.join(", ")}`, path);
    }
    text = spec["equals-ignore-case"];
    ignoreCase = true;
  }
  if (typeof text !== "string") throw invalidPattern(`${op} match pattern must be a string`, path);
  const needle = ignoreCase ? text.toLowerCase() : text;
  const has = op === "prefix" ? (v: string) => v.startsWith(needle) : (v: string) => v.endsWith(needle);
  return ignoreCase ? (v) => has(v.toLowerCase()) : has;
}

/**
 * What `anything-but` excludes. The field must exist (no value, nothing to be "anything but");
 * any present value that is not excluded matches, whatever its type: null, a number or a
 * boolean is "anything but" the string "x", and a string is anything but a prefix of numbers.
 */
function anythingBut(spec: JsonValue | undefined, path: Path): (v: Leaf) => boolean {
  if (typeof spec === "string" || typeof spec === "number") return (v) => v === spec;
  if (Array.isArray(spec)) {
    const strings = spec.every((s) => typeof s === "string");
    const numbers = spec.every((s) => typeof s === "number");
    if (spec.some((s) => typeof s !== "string" && typeof s !== "number")) {
      throw invalidPattern("Inside anything but list, start|null|boolean is not supported.", path);
    }
    if (spec.length === 0 || (!strings && !numbers)) {
      throw invalidPattern("Inside anything but list, either all values are number or string, mixed type is not supported", path);
    }
    const set = new Set<Leaf>(spec as Leaf[]);
    return (v) => set.has(v);
  }
  if (!isJsonObject(spec)) {
    throw invalidPattern("Value of anything-but must be an array or single string/number value.", path);
  }
  const keys = Object.keys(spec);
  const op = keys[0];
  if (op === undefined) throw invalidPattern("Anything-But expression name not found", path);
  if (keys.length > 1) throw invalidPattern("Only one key allowed in match expression", path);
  const inner = spec[op];
  const at = [...path, op];
  switch (op) {
    case "prefix":
    case "suffix": {
      if (typeof inner !== "string") throw invalidPattern("prefix/suffix match pattern must be a string", at);
      if (inner === "") throw invalidPattern("Null prefix/suffix not allowed", at);
      return onStrings(op === "prefix" ? (v) => v.startsWith(inner) : (v) => v.endsWith(inner));
    }
    case "equals-ignore-case": {
      const list = stringOrStrings(inner, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", at);
      const lowered = new Set(list.map((s) => s.toLowerCase()));
      return onStrings((v) => lowered.has(v.toLowerCase()));
    }
    case "wildcard": {
      const list = stringOrStrings(inner, "wildcard match pattern must be a string", at);
      const tests = list.map((w, i) => wildcardMatcher(w, Array.isArray(inner) ? [...at, i] : at));
      return onStrings((v) => tests.some((t) => t(v)));
    }
    default:
      throw invalidPattern(`Unsupported anything-but pattern: ${op}`, path);
  }
}

function stringOrStrings(v: JsonValue | undefined, message: string, path: Path): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string")) return v as string[];
  throw invalidPattern(message, path);
}
