import type { JsonExpr, PathStep } from "./ast.js";
import { comparator, type Scalar } from "./compare.js";

type Found = { found: true; value: unknown } | { found: false };

function resolve(doc: unknown, path: readonly PathStep[]): Found {
  let cur: unknown = doc;
  for (const step of path) {
    if ("key" in step) {
      if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, step.key)) return { found: false };
      cur = (cur as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(cur) || step.index >= cur.length) return { found: false };
      cur = cur[step.index];
    }
  }
  return { found: true, value: cur };
}

const isScalar = (v: unknown): v is Scalar => v === null || ["string", "number", "boolean"].includes(typeof v);

/** Compiles a JSON expression into a test over an already parsed document. */
export function jsonMatcher(expr: JsonExpr): (doc: unknown) => boolean {
  switch (expr.kind) {
    case "and": {
      const l = jsonMatcher(expr.left);
      const r = jsonMatcher(expr.right);
      return (d) => l(d) && r(d);
    }
    case "or": {
      const l = jsonMatcher(expr.left);
      const r = jsonMatcher(expr.right);
      return (d) => l(d) || r(d);
    }
    case "is": {
      const { path, test } = expr;
      if (test === "not-exists") return (d) => !resolve(d, path).found;
      const want = test === "null" ? null : test === "true";
      return (d) => {
        const r = resolve(d, path);
        return r.found && r.value === want;
      };
    }
    case "compare": {
      const { path } = expr;
      const cmp = comparator(expr.op, expr.value);
      // A missing field, an object or an array matches no comparison, not even `!=`.
      return (d) => {
        const r = resolve(d, path);
        return r.found && isScalar(r.value) && cmp(r.value);
      };
    }
  }
}

/** Messages that are not JSON never match a JSON pattern. */
export function parseMessageJson(message: string): unknown {
  const first = message.trimStart().charAt(0);
  if (first !== "{" && first !== "[") return undefined;
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return undefined;
  }
}
