import { isJsonObject, type JsonValue } from "../pattern/json.js";

export type PathStep = string | number;

/**
 * The JSONPath subset EventBridge's InputPath and InputPathsMap use: `$`, `$.a.b`, `$.a[0]`
 * and `$['a b']` / `$["a b"]`. Returns the steps, or undefined when the text is not such a path.
 */
export function parseJsonPath(text: string): PathStep[] | undefined {
  if (!text.startsWith("$")) return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      const m = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (!m) return undefined;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) return undefined;
      const inside = text.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inside);
      if (quoted) steps.push(quoted[2] ?? "");
      else if (/^\d+$/.test(inside)) steps.push(Number(inside));
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** The value at a path, or undefined where the event has none. */
export function valueAt(steps: readonly PathStep[], root: JsonValue): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const step of steps) {
    if (typeof step === "number") node = Array.isArray(node) ? node[step] : undefined;
    else node = isJsonObject(node) && Object.hasOwn(node, step) ? node[step] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}
