import type { AwsJsonApi } from "../../protocol/service-registry.js";
import { trailValue } from "./redact-modeled.js";
import { redactUnmodeled } from "./redact-unmodeled.js";

/**
 * requestParameters / responseElements of one call, member names as CloudTrail prints them:
 * by the API's model where its model marks secrets (App Runner: `sensitive` shapes hidden,
 * members the model lacks left out), otherwise the JSON as sent with the fixed list of secrets
 * and payloads hidden. An empty request is null, as CloudTrail records calls without parameters.
 * Both walks stop at MAX_JSON_DEPTH, the deepest a request may be: nothing deeper is kept.
 */
export function trailParameters(
  api: AwsJsonApi,
  operation: string,
  direction: "input" | "output",
  value: unknown,
): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  const model = (api.trailRedaction ?? "model") === "model" ? api.model : undefined;
  const ref = model?.operations[operation]?.[direction];
  const shown = model ? ref && trailValue(model, ref.shape, value) : redactUnmodeled(api.signingName, value);
  if (typeof shown !== "object" || shown === null || Array.isArray(shown)) return null;
  return Object.keys(shown).length === 0 ? null : (shown as Record<string, unknown>);
}
