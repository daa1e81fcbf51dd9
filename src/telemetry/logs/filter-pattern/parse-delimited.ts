import type { DelimitedField, FieldExpr, FilterPattern } from "./ast.js";
import { Scanner } from "./scanner.js";

const NAME_CHAR = /[\w-]/;

/**
 * Space-delimited fields: `[ip, user, ..., status = 5*, size > 1000]`. Each entry names a
 * field (`...` skips any number of them) and may add comparisons joined with `&&` / `||`
 * (`status = 4* || status = 5*`); every entry's comparisons must hold.
 */
export function parseDelimited(text: string): FilterPattern & { kind: "delimited" } {
  const s = new Scanner(text);
  s.expect("[");
  const fields: DelimitedField[] = [];
  const conditions: FieldExpr[] = [];
  do {
    if (s.take("...")) {
      // `..., ...` means the same as `...`; keeping one bounds the matcher's backtracking.
      if (fields.at(-1)?.kind !== "ellipsis") fields.push({ kind: "ellipsis" });
      continue;
    }
    const name = s.readWhile((c) => NAME_CHAR.test(c));
    if (name === "") throw s.fail("expected a field name or '...'");
    if (fields.some((f) => f.kind === "named" && f.name === name)) throw s.fail(`field '${name}' is named twice`);
    fields.push({ kind: "named", name });
    const cond = entryConditions(s, name);
    if (cond) conditions.push(cond);
  } while (s.take(","));
  s.expect("]");
  if (!s.atEnd()) throw s.fail("unexpected text after ']'");
  const names = new Set(fields.flatMap((f) => (f.kind === "named" ? [f.name] : [])));
  for (const c of conditions) {
    for (const field of referencedFields(c)) {
      if (!names.has(field)) throw s.fail(`the condition names '${field}', which is not a field of the pattern`);
    }
  }
  return { kind: "delimited", fields, conditions };
}

/** `= v`, then `&& other op v` / `|| other op v` ...; `&&` binds tighter than `||`. */
function entryConditions(s: Scanner, name: string): FieldExpr | undefined {
  const stop = (c: string): boolean => c === "," || c === "]";
  const first = s.comparison(stop);
  if (!first) return undefined;
  const ors: FieldExpr[] = [];
  let and: FieldExpr = { kind: "compare", field: name, ...first };
  for (;;) {
    const joiner = s.take("&&") ? "and" : s.take("||") ? "or" : undefined;
    if (!joiner) break;
    const field = s.readWhile((c) => NAME_CHAR.test(c));
    if (field === "") throw s.fail("expected a field name");
    const cmp = s.comparison(stop);
    if (!cmp) throw s.fail("expected a comparison (=, !=, <, <=, >, >=)");
    const next: FieldExpr = { kind: "compare", field, ...cmp };
    if (joiner === "and") {
      and = { kind: "and", left: and, right: next };
    } else {
      ors.push(and);
      and = next;
    }
  }
  return ors.reduceRight<FieldExpr>((right, left) => ({ kind: "or", left, right }), and);
}

function referencedFields(e: FieldExpr): string[] {
  return e.kind === "compare" ? [e.field] : [...referencedFields(e.left), ...referencedFields(e.right)];
}
