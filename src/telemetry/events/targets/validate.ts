import { isJsonObject } from "../pattern/json.js";
import type { StoredTarget } from "../store/targets.js";
import { endpointOf } from "./endpoint.js";
import { parseJsonPath } from "./json-path.js";

const ID = /^[.\-_A-Za-z0-9]+$/;
const PATHS_MAP_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Why PutTargets cannot take this target, in EventBridge's words where it has them, or
 * undefined. PutTargets reports these per target (FailedEntries, ErrorCode
 * ValidationException) and stores the others.
 */
export function targetProblem(t: StoredTarget, index: number): string | undefined {
  const at = `targets.${index + 1}.member`;
  if (!ID.test(t.Id)) {
    return `Value '${t.Id}' at '${at}.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`;
  }
  if (t.Id.length > 64) return `Value '${t.Id}' at '${at}.id' failed to satisfy constraint: Member must have length less than or equal to 64`;
  if (t.Arn.length > 1600) return `Value at '${at}.arn' failed to satisfy constraint: Member must have length less than or equal to 1600`;
  const endpoint = endpointOf(t.Arn);
  if ("error" in endpoint) return endpoint.error;
  for (const key of ["InputTransformer", "RetryPolicy", "HttpParameters"] as const) {
    if (t[key] !== undefined && !isJsonObject(t[key])) return `Parameter ${key} is not valid. Reason: it must be an object.`;
  }
  const transforms = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (transforms > 1) return "Only one of Input, InputPath, or InputTransformer must be provided.";
  if (t.Input !== undefined) {
    if (t.Input.length > 8192) return `Value at '${at}.input' failed to satisfy constraint: Member must have length less than or equal to 8192`;
    try {
      JSON.parse(t.Input);
    } catch {
      return `Parameter Input is not valid. Reason: Input must be valid JSON text.`;
    }
  }
  if (t.InputPath !== undefined && !parseJsonPath(t.InputPath)) {
    return `Parameter InputPath is not valid. Reason: ${t.InputPath} is not a valid JSON path (use $ or $.field.field[0]).`;
  }
  return inputTransformerProblem(t) ?? retryPolicyProblem(t) ?? httpParametersProblem(t);
}

function inputTransformerProblem(t: StoredTarget): string | undefined {
  const x = t.InputTransformer;
  if (x === undefined) return undefined;
  if (typeof x.InputTemplate !== "string") return "Parameter InputTransformer is not valid. Reason: InputTemplate is required.";
  const map = x.InputPathsMap ?? {};
  if (!isJsonObject(map)) return "Parameter InputPathsMap is not valid. Reason: it must be a map of names to JSON paths.";
  const entries = Object.entries(map);
  if (entries.length > 100) return "Parameter InputPathsMap is not valid. Reason: at most 100 entries are allowed.";
  for (const [name, path] of entries) {
    if (!PATHS_MAP_KEY.test(name) || name.startsWith("aws.")) {
      return `Parameter InputPathsMap is not valid. Reason: ${name} is not a valid variable name.`;
    }
    if (typeof path !== "string" || !parseJsonPath(path)) {
      return `Parameter InputPathsMap is not valid. Reason: ${String(path)} is not a valid JSON path.`;
    }
  }
  return undefined;
}

function retryPolicyProblem(t: StoredTarget): string | undefined {
  const p = t.RetryPolicy;
  if (p === undefined) return undefined;
  const retries = p.MaximumRetryAttempts;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 185)) {
    return "Parameter RetryPolicy is not valid. Reason: MaximumRetryAttempts must be between 0 and 185.";
  }
  const age = p.MaximumEventAgeInSeconds;
  if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 86400)) {
    return "Parameter RetryPolicy is not valid. Reason: MaximumEventAgeInSeconds must be between 60 and 86400.";
  }
  return undefined;
}

function httpParametersProblem(t: StoredTarget): string | undefined {
  const h = t.HttpParameters;
  if (h === undefined) return undefined;
  const stringMap = (m: unknown): boolean => m === undefined || (isJsonObject(m) && Object.values(m).every((v) => typeof v === "string"));
  const stringList = (l: unknown): boolean => l === undefined || (Array.isArray(l) && l.every((v) => typeof v === "string"));
  if (!stringMap(h.HeaderParameters) || !stringMap(h.QueryStringParameters) || !stringList(h.PathParameterValues)) {
    return "Parameter HttpParameters is not valid. Reason: header and query string parameters map names to strings; path parameter values are strings.";
  }
  return undefined;
}
