import type { JsonValue } from "../pattern/json.js";
import type { StoredTarget } from "../store/targets.js";
import { applyInputTemplate, type TransformContext } from "./input-transformer.js";
import { parseJsonPath, valueAt } from "./json-path.js";

/**
 * What a target receives: its constant Input as given, the part of the event its InputPath
 * selects (null when the event has none there), its InputTransformer's template filled in, or
 * else the whole event.
 */
export function deliveryBody(target: StoredTarget, ctx: TransformContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const steps = parseJsonPath(target.InputPath);
    const value: JsonValue | undefined = steps ? valueAt(steps, ctx.event) : undefined;
    return JSON.stringify(value ?? null);
  }
  const t = target.InputTransformer;
  if (t?.InputTemplate !== undefined) return applyInputTemplate(t.InputTemplate, t.InputPathsMap ?? {}, ctx);
  return JSON.stringify(ctx.event);
}
