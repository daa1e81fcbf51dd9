/**
 * CloudWatch Logs filter patterns, parsed. Three families share nothing but the entry point:
 * terms over unstructured text, JSON selectors (`{ ... }`) and space-delimited fields (`[ ... ]`).
 */
export type FilterPattern =
  | { kind: "everything" }
  | { kind: "terms"; required: string[]; anyOf: string[]; excluded: string[] }
  | { kind: "json"; expr: JsonExpr }
  | { kind: "delimited"; fields: DelimitedField[]; conditions: FieldExpr[] };

export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A value on the right of a comparison: numbers compare numerically, strings as globs (`*`). */
export type Literal = { type: "number"; value: number; text: string } | { type: "string"; value: string };

/** One step of a JSON selector: `.name` or `[index]`. */
export type PathStep = { key: string } | { index: number };

export type JsonExpr =
  | { kind: "and" | "or"; left: JsonExpr; right: JsonExpr }
  | { kind: "compare"; path: PathStep[]; op: ComparisonOp; value: Literal }
  | { kind: "is"; path: PathStep[]; test: "null" | "true" | "false" | "not-exists" };

/** A position in a space-delimited pattern: a named field, or `...` for any number of fields. */
export type DelimitedField = { kind: "named"; name: string } | { kind: "ellipsis" };

export type FieldExpr =
  | { kind: "and" | "or"; left: FieldExpr; right: FieldExpr }
  | { kind: "compare"; field: string; op: ComparisonOp; value: Literal };
