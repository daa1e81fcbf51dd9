import type { FilterPattern } from "./ast.js";
import { Scanner } from "./scanner.js";

/**
 * Unstructured terms: `ERROR Exception` (all must appear), `"exact phrase"`, `-term`
 * (must not appear) and `?term` (at least one of the ?-terms must appear). Case-sensitive.
 */
export function parseTerms(text: string): FilterPattern & { kind: "terms" } {
  const s = new Scanner(text);
  const out = { kind: "terms" as const, required: [] as string[], anyOf: [] as string[], excluded: [] as string[] };
  const separated = (): boolean => s.pos >= text.length || /\s/.test(text.charAt(s.pos));
  while (!s.atEnd()) {
    const prefix = s.take("-") ? "-" : s.take("?") ? "?" : "";
    // A prefix belongs to the term right after it: `- x` is not an exclusion of x.
    if (prefix && separated()) throw s.fail(`'${prefix}' must be followed by a term`);
    const term = text.charAt(s.pos) === '"' ? s.quoted() : s.readWhile((c) => !/\s/.test(c) && c !== '"');
    if (!separated()) throw s.fail("terms must be separated by spaces");
    (prefix === "-" ? out.excluded : prefix === "?" ? out.anyOf : out.required).push(term);
  }
  return out;
}
