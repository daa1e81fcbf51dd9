import { MAX_JSON_DEPTH } from "../../protocol/http/json-body.js";
import type { Shape, ServiceModel } from "../../model/model.js";
import { HIDDEN } from "./hidden.js";

/**
 * The member name as CloudTrail prints it: the guide's CreateService example has
 * "serviceName", "sourceConfiguration", "codeConfigurationValues" for App Runner's
 * ServiceName, SourceConfiguration, CodeConfigurationValues. Only the first letter changes,
 * as in Coral's validation paths (src/model/validate.ts), so DNSTarget becomes dNSTarget.
 */
export const trailMemberName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value is secret when its shape is, or, for a map or list, when what it holds is. */
function isSensitive(model: ServiceModel, s: Shape): boolean {
  if (s.sensitive) return true;
  const parts = [s.key, s.value, s.member].filter((r) => r !== undefined);
  return parts.some((r) => model.shapes[r.shape]?.sensitive === true);
}

/**
 * Walks a request or response by its shape and returns what CloudTrail records of it:
 * member names in CloudTrail's casing, secrets (shapes marked `sensitive`, and maps and lists
 * of them, whole: the guide shows "runtimeEnvironmentVariables": "HIDDEN_DUE_TO_SECURITY_REASONS")
 * replaced by HIDDEN, timestamps (epoch seconds on the wire) as ISO strings like the guide's
 * "createdAt": "2020-10-02T23:25:32.650Z", and members the model does not have left out, as
 * CloudTrail records the request AWS parsed, not the bytes sent.
 */
export function trailValue(model: ServiceModel, shapeName: string, value: unknown, depth = 0): unknown {
  const s = model.shapes[shapeName];
  if (value === undefined || value === null) return value;
  // Recursive shapes end where a request must (the protocol refuses deeper JSON).
  if (!s || depth >= MAX_JSON_DEPTH) return undefined;
  if (isSensitive(model, s)) return HIDDEN;
  switch (s.type) {
    case "structure": {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const v = trailValue(model, ref.shape, value[member], depth + 1);
        if (v !== undefined) out[trailMemberName(member)] = v;
      }
      return out;
    }
    case "list": {
      const member = s.member?.shape;
      if (!Array.isArray(value) || !member) return value;
      return value.map((item) => trailValue(model, member, item, depth + 1));
    }
    case "map": {
      const valueShape = s.value?.shape;
      if (!isObject(value) || !valueShape) return value;
      // Map keys are data (tag keys, variable names), never renamed.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trailValue(model, valueShape, v, depth + 1)]));
    }
    case "timestamp":
      return typeof value === "number" && Number.isFinite(value) ? new Date(value * 1000).toISOString() : value;
    default:
      return value;
  }
}
