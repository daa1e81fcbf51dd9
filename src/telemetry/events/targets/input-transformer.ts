import type { JsonValue } from "../pattern/json.js";
import { parseJsonPath, valueAt } from "./json-path.js";

export interface TransformContext {
  event: JsonValue;
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** Variables EventBridge defines itself; InputPathsMap may not reuse their names. */
function predefined(name: string, ctx: TransformContext): JsonValue | undefined {
  switch (name) {
    case "aws.events.rule-arn":
      return ctx.ruleArn;
    case "aws.events.rule-name":
      return ctx.ruleName;
    case "aws.events.event.ingestion-time":
      return ctx.ingestionTime;
    case "aws.events.event":
    case "aws.events.event.json":
      return ctx.event;
    default:
      return undefined;
  }
}

/**
 * Fills an InputTemplate's `<name>` placeholders. As EventBridge does, a placeholder inside a
 * JSON string literal of the template takes the value's text (escaped for that string), and
 * one outside takes the value as JSON, so `{"id": <id>}` quotes a string id and
 * `"<id> changed"` does not. A path with no value in the event gives null (empty in a string).
 */
export function applyInputTemplate(
  template: string,
  pathsMap: Record<string, string>,
  ctx: TransformContext,
): string {
  const values = new Map<string, JsonValue | undefined>();
  for (const [name, path] of Object.entries(pathsMap)) {
    const steps = parseJsonPath(path);
    values.set(name, steps ? valueAt(steps, ctx.event) : undefined);
  }
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] ?? "";
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === "<") {
      const close = template.indexOf(">", i);
      const name = close > i ? template.slice(i + 1, close) : "";
      if (name !== "" && (values.has(name) || predefined(name, ctx) !== undefined)) {
        const value = values.has(name) ? values.get(name) : predefined(name, ctx);
        out += render(value, inString);
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function render(value: JsonValue | undefined, inString: boolean): string {
  if (!inString) return JSON.stringify(value ?? null);
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}
