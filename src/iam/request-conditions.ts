import type { AuthorizationRequest } from "./authorization.js";

type Conditions = Record<string, string | readonly string[]>;

/**
 * aws:RequestTag/<key> and aws:TagKeys of a call that tags: from a tag list
 * (`[{Key, Value}]`, App Runner, ECR, EventBridge) or a tag map (`{key: value}`, CloudWatch
 * Logs). Nothing when the call has no tags, so `Null` and `...IfExists` see them absent.
 */
export function requestTagConditions(tags: unknown): Conditions {
  const pairs: [string, string][] = [];
  if (Array.isArray(tags)) {
    for (const t of tags) {
      const rec = t as Record<string, unknown> | null;
      const key = rec?.Key ?? rec?.key;
      const value = rec?.Value ?? rec?.value;
      if (typeof key === "string") pairs.push([key, typeof value === "string" ? value : ""]);
    }
  } else if (tags !== null && typeof tags === "object") {
    for (const [k, v] of Object.entries(tags)) pairs.push([k, typeof v === "string" ? v : ""]);
  }
  if (pairs.length === 0) return {};
  const out: Conditions = { "aws:tagkeys": pairs.map(([k]) => k) };
  // Condition key names are case-insensitive: the authorizer asks for them lower-cased.
  for (const [k, v] of pairs) out[`aws:requesttag/${k.toLowerCase()}`] = v;
  return out;
}

/** aws:TagKeys of an untag call (the keys it removes). */
export function tagKeysCondition(keys: unknown): Conditions {
  const list = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
  return list.length === 0 ? {} : { "aws:tagkeys": list };
}

/** `iam:PassRole` on `roleArn` for `service`: what handing a role to a service needs, beside the call's own action. */
export const passRole = (roleArn: string, service: string): AuthorizationRequest => ({
  action: "iam:PassRole",
  resource: roleArn,
  conditions: { "iam:passedtoservice": service },
});

/** A string member of a call's input, or undefined. */
export const stringAt = (value: unknown, ...path: string[]): string | undefined => {
  let v = value;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return typeof v === "string" ? v : undefined;
};
