import type { AppRunnerError } from "../../errors/app-runner-error.js";
import { invalidParameterAt } from "../errors.js";

/*
 * ECR lifecycle policy text (JSON) to typed rules, checked as ECR checks it: its JSON schema
 * first (messages in the words of the schema validator ECR runs, prefixed as ECR prefixes
 * them), then the rules between rules (unique priorities, one `any` rule and it last).
 */

export type TagStatus = "tagged" | "untagged" | "any";
export type CountType = "imageCountMoreThan" | "sinceImagePushed";

export interface LifecycleSelection {
  tagStatus: TagStatus;
  /** tagged only: an image matches when every prefix begins one of its tags. */
  tagPrefixList?: string[];
  /** tagged only: like tagPrefixList, with `*` matching any run of characters in a whole tag. */
  tagPatternList?: string[];
  countType: CountType;
  /** sinceImagePushed only. */
  countUnit?: "days";
  countNumber: number;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: { type: "expire" };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

const PREFIX = "Lifecycle policy validation failure: ";
const fail = (detail: string): AppRunnerError => invalidParameterAt("LifecyclePolicyText", `${PREFIX}${detail}`);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function object(v: unknown): Json {
  if (!isObject(v)) throw fail(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["object"])`);
  return v;
}

/** The schema's required and allowed properties of one object. */
function properties(o: Json, required: readonly string[], allowed: readonly string[]): void {
  const missing = required.filter((k) => !(k in o)).sort();
  if (missing.length > 0) throw fail(`object has missing required properties (${JSON.stringify(missing)})`);
  const extra = Object.keys(o).filter((k) => !allowed.includes(k)).sort();
  if (extra.length > 0) throw fail(`object instance has properties which are not allowed by the schema: (${JSON.stringify(extra)})`);
}

function oneOf<T extends string>(v: unknown, values: readonly T[]): T {
  if (typeof v !== "string") throw fail(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["string"])`);
  if (!(values as readonly string[]).includes(v)) throw fail(`instance value ("${v}") not found in enum (possible values: ${JSON.stringify([...values].sort())})`);
  return v as T;
}

function integer(v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw fail(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["integer"])`);
  if (v < min) throw fail(`numeric instance is lower than the required minimum (minimum: ${min}, found: ${v})`);
  return v;
}

function stringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v)) throw fail(`instance type (${jsonType(v)}) does not match any allowed primitive type (allowed: ["array"])`);
  if (v.length === 0) throw fail(`array is too short: must have at least 1 elements but instance has 0 elements`);
  for (const item of v) {
    if (typeof item !== "string") throw fail(`instance type (${jsonType(item)}) does not match any allowed primitive type (allowed: ["string"])`);
  }
  if (new Set(v).size !== v.length) throw fail(`array must not contain duplicate elements`);
  if (name === "tagPatternList" && v.some((p) => (p as string).split("*").length - 1 > 4)) {
    throw fail(`tagPatternList can contain a maximum of 4 wildcards per pattern`);
  }
  return v as string[];
}

function selection(v: unknown): LifecycleSelection {
  const s = object(v);
  properties(s, ["countNumber", "countType", "tagStatus"], ["countNumber", "countType", "countUnit", "tagPatternList", "tagPrefixList", "tagStatus"]);
  const tagStatus = oneOf(s.tagStatus, ["any", "tagged", "untagged"] as const);
  const countType = oneOf(s.countType, ["imageCountMoreThan", "sinceImagePushed"] as const);
  // The schema has one branch per countType; a countUnit on the wrong one matches neither.
  if ((countType === "sinceImagePushed") !== ("countUnit" in s)) throw fail("instance failed to match exactly one schema (matched 0 out of 2)");
  const countUnit = "countUnit" in s ? oneOf(s.countUnit, ["days"] as const) : undefined;
  const countNumber = integer(s.countNumber, 1);
  const tagPrefixList = "tagPrefixList" in s ? stringList(s.tagPrefixList, "tagPrefixList") : undefined;
  const tagPatternList = "tagPatternList" in s ? stringList(s.tagPatternList, "tagPatternList") : undefined;
  if (tagPrefixList && tagPatternList) throw fail("tagPrefixList and tagPatternList cannot both be specified in the same rule");
  if (tagStatus === "tagged" && !tagPrefixList && !tagPatternList) {
    throw fail("tagPrefixList or tagPatternList is required when tagStatus is tagged");
  }
  if (tagStatus !== "tagged" && (tagPrefixList || tagPatternList)) {
    throw fail(`tagPrefixList and tagPatternList may only be used when tagStatus is tagged, found tagStatus ${tagStatus}`);
  }
  return {
    tagStatus,
    ...(tagPrefixList ? { tagPrefixList } : {}),
    ...(tagPatternList ? { tagPatternList } : {}),
    countType,
    ...(countUnit ? { countUnit } : {}),
    countNumber,
  };
}

function rule(v: unknown): LifecycleRule {
  const r = object(v);
  properties(r, ["action", "rulePriority", "selection"], ["action", "description", "rulePriority", "selection"]);
  const rulePriority = integer(r.rulePriority, 1);
  if ("description" in r && typeof r.description !== "string") {
    throw fail(`instance type (${jsonType(r.description)}) does not match any allowed primitive type (allowed: ["string"])`);
  }
  const action = object(r.action);
  properties(action, ["type"], ["type"]);
  oneOf(action.type, ["expire"] as const);
  return {
    rulePriority,
    ...(typeof r.description === "string" ? { description: r.description } : {}),
    selection: selection(r.selection),
    action: { type: "expire" },
  };
}

/** The policy text as typed rules, or ECR's InvalidParameterException saying what is wrong with it. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail("Could not map policyString into LifecyclePolicy.");
  }
  if (!isObject(doc)) throw fail("Could not map policyString into LifecyclePolicy.");
  properties(doc, ["rules"], ["rules"]);
  if (!Array.isArray(doc.rules)) throw fail(`instance type (${jsonType(doc.rules)}) does not match any allowed primitive type (allowed: ["array"])`);
  if (doc.rules.length === 0) throw fail("array is too short: must have at least 1 elements but instance has 0 elements");
  const rules = doc.rules.map(rule);
  const priorities = rules.map((r) => r.rulePriority);
  if (new Set(priorities).size !== priorities.length) throw fail("The rulePriority of each rule must be unique");
  const highest = Math.max(...priorities);
  const anyRules = rules.filter((r) => r.selection.tagStatus === "any");
  if (anyRules.length > 1 || anyRules.some((r) => r.rulePriority !== highest)) {
    throw fail("A rule with tagStatus any must have the highest rulePriority and only one such rule is allowed");
  }
  if (rules.filter((r) => r.selection.tagStatus === "untagged").length > 1) throw fail("Only one rule may select untagged images");
  return { rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority) };
}
