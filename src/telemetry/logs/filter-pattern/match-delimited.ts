import type { DelimitedField, FieldExpr } from "./ast.js";
import { comparator } from "./compare.js";
import { splitFields } from "./split-fields.js";

type Bindings = Map<string, string>;

function conditionMatcher(e: FieldExpr): (b: Bindings) => boolean {
  if (e.kind === "compare") {
    const cmp = comparator(e.op, e.value);
    const field = e.field;
    return (b) => {
      const v = b.get(field);
      return v !== undefined && cmp(v);
    };
  }
  const l = conditionMatcher(e.left);
  const r = conditionMatcher(e.right);
  return e.kind === "and" ? (b) => l(b) && r(b) : (b) => l(b) || r(b);
}

/**
 * A line matches when its fields can be laid over the pattern's (each name takes one field,
 * `...` any number, the counts must add up) so that every condition holds. With more than
 * one `...` several layouts may fit; each is tried until one satisfies the conditions.
 */
export function delimitedMatcher(fields: readonly DelimitedField[], conditions: readonly FieldExpr[]): (message: string) => boolean {
  const tests = conditions.map(conditionMatcher);
  const named = fields.filter((f) => f.kind === "named").length;
  const hasEllipsis = named < fields.length;
  const accept = (b: Bindings): boolean => tests.every((t) => t(b));

  const bind = (tokens: readonly string[], fi: number, ti: number, b: Bindings): boolean => {
    if (fi === fields.length) return ti === tokens.length && accept(b);
    const f = fields[fi];
    if (!f) return false;
    if (f.kind === "named") {
      const token = tokens[ti];
      if (token === undefined) return false;
      b.set(f.name, token);
      return bind(tokens, fi + 1, ti + 1, b);
    }
    const namedAfter = fields.slice(fi + 1).filter((x) => x.kind === "named").length;
    for (let skip = 0; ti + skip + namedAfter <= tokens.length; skip++) {
      if (bind(tokens, fi + 1, ti + skip, b)) return true;
    }
    return false;
  };

  return (message) => {
    const tokens = splitFields(message);
    if (hasEllipsis ? tokens.length < named : tokens.length !== named) return false;
    return bind(tokens, 0, 0, new Map());
  };
}
