import type { FieldPattern, ObjectPattern } from "./compile.js";
import { isJsonObject, isLeaf, type JsonValue, type Leaf } from "./json.js";

/**
 * Whether an event (any JSON) matches a compiled pattern. Arrays in the event are "crushed":
 * a field matches if any of its elements does, and the fields of one pattern object must all
 * match within the same array element (EventBridge's array-consistent matching).
 */
export function matchObject(p: ObjectPattern, node: JsonValue | undefined): boolean {
  if (Array.isArray(node)) {
    // No element: as if the fields were absent, so exists:false still matches.
    return node.length === 0 ? matchObject(p, undefined) : node.some((el) => matchObject(p, el));
  }
  const obj = isJsonObject(node) ? node : undefined;
  for (const [key, field] of p.fields) {
    const value = obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
    if (!matchField(field, value)) return false;
  }
  return p.anyOf.length === 0 || p.anyOf.some((alt) => matchObject(alt, node));
}

function matchField(field: FieldPattern, value: JsonValue | undefined): boolean {
  if (field.kind === "object") return matchObject(field.pattern, value);
  const leaves = leavesOf(value);
  return field.matchers.some((m) => (m.kind === "exists" ? m.present === leaves.length > 0 : leaves.some(m.test)));
}

/**
 * The values a leaf operator sees: the value itself, or every scalar inside an array. An object
 * is not a leaf ("exists matching only works on leaf nodes"), and an absent field has none.
 */
function leavesOf(value: JsonValue | undefined): Leaf[] {
  if (value === undefined) return [];
  if (isLeaf(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  return [];
}
