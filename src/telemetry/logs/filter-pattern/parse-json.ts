import type { FilterPattern, JsonExpr, PathStep } from "./ast.js";
import { Scanner } from "./scanner.js";

const KEY_CHAR = /[^\s.[\]=!<>&|(){}"]/;

/**
 * `{ $.level = "error" }`, `{ $.latency > 100 }`, `{ ($.a = 1) && ($.b[0].c != x*) || $.d IS NULL }`,
 * `{ $.e NOT EXISTS }`, `{ $.f IS TRUE }`. `&&` binds tighter than `||`; parentheses group.
 */
export function parseJsonPattern(text: string): FilterPattern & { kind: "json" } {
  const s = new Scanner(text);
  s.expect("{");
  const expr = orExpr(s);
  s.expect("}");
  if (!s.atEnd()) throw s.fail("unexpected text after '}'");
  return { kind: "json", expr };
}

function orExpr(s: Scanner): JsonExpr {
  let left = andExpr(s);
  while (s.take("||")) left = { kind: "or", left, right: andExpr(s) };
  return left;
}

function andExpr(s: Scanner): JsonExpr {
  let left = unary(s);
  while (s.take("&&")) left = { kind: "and", left, right: unary(s) };
  return left;
}

function unary(s: Scanner): JsonExpr {
  if (s.take("(")) {
    const inner = orExpr(s);
    s.expect(")");
    return inner;
  }
  const path = selector(s);
  if (s.takeKeyword("IS")) {
    if (s.takeKeyword("NULL")) return { kind: "is", path, test: "null" };
    if (s.takeKeyword("TRUE")) return { kind: "is", path, test: "true" };
    if (s.takeKeyword("FALSE")) return { kind: "is", path, test: "false" };
    throw s.fail("expected NULL, TRUE or FALSE after IS");
  }
  if (s.takeKeyword("NOT")) {
    if (s.takeKeyword("EXISTS")) return { kind: "is", path, test: "not-exists" };
    throw s.fail("expected EXISTS after NOT");
  }
  const cmp = s.comparison((c) => c === "}");
  if (!cmp) throw s.fail("expected a comparison (=, !=, <, <=, >, >=), IS or NOT EXISTS");
  return { kind: "compare", path, ...cmp };
}

/** `$` followed by `.key` and `[index]` steps, with no spaces inside. */
function selector(s: Scanner): PathStep[] {
  s.skipSpace();
  if (s.text.charAt(s.pos) !== "$") throw s.fail("expected a selector starting with '$'");
  s.pos++;
  const steps: PathStep[] = [];
  for (;;) {
    const c = s.text.charAt(s.pos);
    if (c === ".") {
      const start = ++s.pos;
      while (s.pos < s.text.length && KEY_CHAR.test(s.text.charAt(s.pos))) s.pos++;
      if (s.pos === start) throw s.fail("expected a property name after '.'");
      steps.push({ key: s.text.slice(start, s.pos) });
    } else if (c === "[") {
      const m = /^\[(\d+)\]/.exec(s.text.slice(s.pos));
      if (!m?.[1]) throw s.fail("expected an array index like [0]");
      steps.push({ index: Number(m[1]) });
      s.pos += m[0].length;
    } else {
      break;
    }
  }
  if (steps.length === 0) throw s.fail("a selector needs at least one property, like $.level");
  return steps;
}
