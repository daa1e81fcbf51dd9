import { MAX_JSON_DEPTH } from "../../protocol/http/json-body.js";
import { HIDDEN } from "./hidden.js";
import { trailMemberName } from "./redact-modeled.js";

/**
 * Secrets in APIs OpenRunner serves without a model that marks them (CloudWatch Logs,
 * EventBridge, CloudWatch, CloudTrail). Matched on member names, whatever the casing, at any
 * depth, so an EventBridge connection's ApiKeyValue or ClientSecret, the value of an
 * `Authorization` header parameter or a provider's OAuth token is hidden wherever it appears.
 * Paging tokens (nextToken, sequenceToken) and ARNs of secrets (secretArn) are not secrets and stay.
 */
const SECRET_NAMES = [
  /^authorization$/i,
  /password$/i,
  /secret$/i,
  /secretaccesskey$/i,
  /^apikeyvalue$/i,
  /^token$/i,
  /(access|session|refresh|auth|bearer|id|oauth|connection|provider|security)token$/i,
];

/**
 * Payloads hidden by where they are, not what they are called. Decision: PutLogEvents'
 * message bodies and PutEvents' Detail are application data (log lines routinely carry
 * credentials and personal data) that already live in their own stores under their own
 * retention; the trail keeps who sent how many, not what.
 */
const PAYLOAD_PATHS: Record<string, readonly (readonly string[])[]> = {
  logs: [["logEvents", "*", "message"]],
  events: [["Entries", "*", "Detail"]],
};

/**
 * Members whose value, when an object, is a map of the caller's own keys (CloudWatch Logs
 * tags and metric-filter dimensions; EventBridge target input paths, headers and query
 * strings): their keys are data and keep their spelling.
 */
const FREE_FORM_MAPS = new Set(["tags", "dimensions", "InputPathsMap", "HeaderParameters", "QueryStringParameters"]);

const isSecretName = (name: string): boolean => SECRET_NAMES.some((re) => re.test(name));

function matchesPath(path: readonly string[], rules: readonly (readonly string[])[]): boolean {
  return rules.some((rule) => rule.length === path.length && rule.every((part, i) => part === "*" || part === path[i]));
}

/**
 * A request or response of an API without a model, with secrets and payloads hidden and
 * member names in CloudTrail's casing (lower first letter, as it prints every JSON API:
 * EventBridge's Name is "name" there; CloudWatch Logs' names are camelCase already).
 */
export function redactUnmodeled(signingName: string, value: unknown): unknown {
  const rules = PAYLOAD_PATHS[signingName] ?? [];
  const walk = (v: unknown, path: string[], freeForm: boolean): unknown => {
    if (typeof v !== "object" || v === null) return v;
    // Never deeper than a request may be (the protocol refuses more), whoever built the value.
    if (path.length >= MAX_JSON_DEPTH) return undefined;
    if (Array.isArray(v)) return v.map((item) => walk(item, [...path, "*"], false));
    const obj = v as Record<string, unknown>;
    const pairKey = obj.Key ?? obj.key;
    // A {Key, Value} pair (a header parameter, a tag) whose key names a secret hides its value.
    const secretPair = typeof pairKey === "string" && isSecretName(pairKey);
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(obj)) {
      const at = [...path, k];
      const named = isSecretName(k) || (secretPair && (k === "Value" || k === "value"));
      const hide = child !== undefined && child !== null && (named || matchesPath(at, rules));
      const shown = hide ? HIDDEN : walk(child, at, FREE_FORM_MAPS.has(k));
      if (shown !== undefined) out[freeForm ? k : trailMemberName(k)] = shown;
    }
    return out;
  };
  return walk(value, [], false);
}
