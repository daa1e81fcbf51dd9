import { invalidPattern } from "./errors.js";
import { isJsonObject, isLeaf, type JsonObject, type JsonValue } from "./json.js";
import { exactMatcher, matchExpression, type LeafMatcher } from "./matchers.js";

type Path = readonly (string | number)[];

/** A field of a pattern: an object to descend into, or the list of ways its value may match. */
export type FieldPattern = { kind: "object"; pattern: ObjectPattern } | { kind: "leaf"; matchers: LeafMatcher[] };

/**
 * One level of a pattern: every field must match (and), and when the level has `$or`, at
 * least one of its alternatives must match the same level too.
 */
export interface ObjectPattern {
  fields: [string, FieldPattern][];
  anyOf: ObjectPattern[];
}

/** Operator names, which EventBridge refuses as field names inside `$or` (they would be ambiguous). */
const RESERVED = new Set(["prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "wildcard"]);

/** Parses and checks an event pattern, refusing what EventBridge refuses (InvalidEventPatternException). */
export function compilePatternText(text: string): ObjectPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalidPattern(`Filter is not valid JSON: ${(err as Error).message}`, []);
  }
  if (!isJsonObject(parsed)) throw invalidPattern("Filter is not an object", []);
  return compileObject(parsed, [], false);
}

function compileObject(obj: JsonObject, path: Path, insideOr: boolean): ObjectPattern {
  const entries = Object.entries(obj);
  if (entries.length === 0) throw invalidPattern("Empty objects are not allowed", path);
  const out: ObjectPattern = { fields: [], anyOf: [] };
  for (const [key, value] of entries) {
    const at = [...path, key];
    if (key === "$or") {
      out.anyOf = compileOr(value, at);
      continue;
    }
    if (insideOr && RESERVED.has(key)) {
      throw invalidPattern(`${key} is a reserved keyword which cannot be used as a field name inside $or.`, at);
    }
    if (isJsonObject(value)) out.fields.push([key, { kind: "object", pattern: compileObject(value, at, insideOr) }]);
    else if (Array.isArray(value)) out.fields.push([key, { kind: "leaf", matchers: compileValues(value, at) }]);
    else throw invalidPattern(`"${key}" must be an object or an array`, at);
  }
  return out;
}

function compileOr(value: JsonValue, path: Path): ObjectPattern[] {
  if (!Array.isArray(value)) throw invalidPattern("It must be an Array followed with $or.", path);
  const alternatives = value.map((alt, i) => {
    if (!isJsonObject(alt)) throw invalidPattern("Only JSON object is allowed in array of $or relationship.", [...path, i]);
    return compileObject(alt, [...path, i], true);
  });
  if (alternatives.length < 2) throw invalidPattern("There must have at least 2 Objects in $or relationship.", path);
  return alternatives;
}

function compileValues(values: JsonValue[], path: Path): LeafMatcher[] {
  if (values.length === 0) throw invalidPattern("Empty arrays are not allowed", path);
  return values.map((v, i) => {
    if (isJsonObject(v)) return matchExpression(v, [...path, i]);
    if (isLeaf(v)) return exactMatcher(v);
    throw invalidPattern("Match value must be String, number, true, false, or null", [...path, i]);
  });
}
