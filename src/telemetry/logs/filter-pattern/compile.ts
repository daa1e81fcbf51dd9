import type { FilterPattern, FieldExpr, JsonExpr } from "./ast.js";
import { delimitedMatcher } from "./match-delimited.js";
import { jsonMatcher, parseMessageJson } from "./match-json.js";
import { parseFilterPattern } from "./parse.js";
import { longestLiteral } from "./wildcard.js";

export interface CompiledFilter {
  /** True when the pattern matches nothing more than "every event". */
  readonly matchesEverything: boolean;
  matches(message: string): boolean;
  /**
   * Text a matching message must contain, as AND of ORs: every inner list needs one of its
   * strings in the message. A store may pre-select rows with it; `matches` still decides.
   */
  readonly requiredText: readonly (readonly string[])[];
}

/** Parses (InvalidParameterException when invalid) and compiles a filter pattern. */
export function compileFilterPattern(text: string | undefined): CompiledFilter {
  const pattern = parseFilterPattern(text);
  return { matchesEverything: pattern.kind === "everything", matches: matcher(pattern), requiredText: requiredText(pattern) };
}

function matcher(p: FilterPattern): (message: string) => boolean {
  switch (p.kind) {
    case "everything":
      return () => true;
    case "terms": {
      const { required, anyOf, excluded } = p;
      return (m) =>
        required.every((t) => m.includes(t)) &&
        (anyOf.length === 0 || anyOf.some((t) => m.includes(t))) &&
        !excluded.some((t) => m.includes(t));
    }
    case "json": {
      const test = jsonMatcher(p.expr);
      return (m) => {
        const doc = parseMessageJson(m);
        return doc !== undefined && test(doc);
      };
    }
    case "delimited":
      return delimitedMatcher(p.fields, p.conditions);
  }
}

function requiredText(p: FilterPattern): string[][] {
  switch (p.kind) {
    case "everything":
      return [];
    case "terms": {
      const groups = p.required.filter((t) => t !== "").map((t) => [t]);
      if (p.anyOf.length > 0 && !p.anyOf.includes("")) groups.push([...p.anyOf]);
      return groups;
    }
    case "json":
      // JSON may spell any character as \uXXXX, so a line with a backslash is always a candidate.
      return jsonConjuncts(p.expr).map((lit) => [lit, "\\"]);
    case "delimited":
      return p.conditions.flatMap(fieldConjuncts).map((lit) => [lit]);
  }
}

/** Literal text of `=` string comparisons that every match needs (through `&&` only). */
function jsonConjuncts(e: JsonExpr): string[] {
  if (e.kind === "and") return [...jsonConjuncts(e.left), ...jsonConjuncts(e.right)];
  if (e.kind === "compare" && e.op === "=" && e.value.type === "string") {
    const lit = longestLiteral(e.value.value);
    // A string pattern also matches JSON numbers by their value, and `1e3` is written without "1000".
    return lit && !/^[\d.eE+-]+$/.test(lit) ? [lit] : [];
  }
  return [];
}

function fieldConjuncts(e: FieldExpr): string[] {
  if (e.kind === "and") return [...fieldConjuncts(e.left), ...fieldConjuncts(e.right)];
  if (e.kind === "compare" && e.op === "=" && e.value.type === "string") {
    const lit = longestLiteral(e.value.value);
    return lit ? [lit] : [];
  }
  return [];
}
