import { createHash } from "node:crypto";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { LookupAttributeKey } from "./trail-store.js";

/** What a LookupEvents call asks for, checked; times in milliseconds. */
export interface LookupRequest {
  attribute?: { key: LookupAttributeKey; value: string | number };
  start?: number;
  end?: number;
  maxResults: number;
  /** Where the previous page ended. */
  cursor?: { time: number; seq: number };
  /** EventCategory "insight": Insights events, which OpenRunner never generates. */
  insights: boolean;
  /** Ties a NextToken to the parameters it was made for, as CloudTrail requires. */
  fingerprint: string;
}

const KEYS: readonly LookupAttributeKey[] = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
];
/** CloudTrail's limits: one attribute, values of 1 to 2000 characters, pages of 1 to 50 (default 50). */
const MAX_VALUE_LENGTH = 2000;
export const MAX_RESULTS = 50;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const serialization = (message: string): AppRunnerError => new AppRunnerError("Serialization", message);

/** AWS JSON 1.1 timestamps are epoch seconds; SDKs may send fractions. ISO strings are accepted too. */
function timestamp(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === "string" && v.trim() !== "") {
    const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (Number.isFinite(ms)) return Math.round(ms);
  }
  throw serialization(`Expected a timestamp at '${name}'.`);
}

function attributeOf(list: unknown): LookupRequest["attribute"] {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw serialization("Expected a list at 'LookupAttributes'.");
  if (list.length === 0) return undefined;
  if (list.length > 1) throw new AppRunnerError("InvalidLookupAttributes", "You can specify only one lookup attribute.");
  const item: unknown = list[0];
  if (!isObject(item)) throw serialization("Expected an object at 'LookupAttributes.1'.");
  const key = item.AttributeKey;
  const value = item.AttributeValue;
  if (typeof key !== "string" || !(KEYS as readonly string[]).includes(key)) {
    throw new AppRunnerError("InvalidLookupAttributes", `AttributeKey must be one of: ${KEYS.join(", ")}.`);
  }
  if (typeof value !== "string" || value.length < 1 || value.length > MAX_VALUE_LENGTH) {
    throw new AppRunnerError("InvalidLookupAttributes", `AttributeValue must be 1 to ${MAX_VALUE_LENGTH} characters.`);
  }
  if (key === "ReadOnly") {
    const lower = value.toLowerCase();
    if (lower !== "true" && lower !== "false") {
      throw new AppRunnerError("InvalidLookupAttributes", "The ReadOnly attribute value must be true or false.");
    }
    return { key, value: lower === "true" ? 1 : 0 };
  }
  return { key: key as LookupAttributeKey, value };
}

function maxResultsOf(v: unknown): number {
  if (v === undefined || v === null) return MAX_RESULTS;
  if (typeof v !== "number" || !Number.isInteger(v)) throw serialization("Expected an integer at 'MaxResults'.");
  if (v < 1 || v > MAX_RESULTS) throw new AppRunnerError("InvalidMaxResults", `MaxResults must be between 1 and ${MAX_RESULTS}.`);
  return v;
}

const fingerprintOf = (attribute: LookupRequest["attribute"], start?: number, end?: number): string =>
  createHash("sha256")
    .update(JSON.stringify([attribute?.key ?? null, attribute?.value ?? null, start ?? null, end ?? null]))
    .digest("base64url")
    .slice(0, 16);

export const encodeLookupToken = (fingerprint: string, time: number, seq: number): string =>
  Buffer.from(JSON.stringify({ f: fingerprint, t: time, s: seq })).toString("base64url");

function cursorOf(token: unknown, fingerprint: string): LookupRequest["cursor"] {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== "string") throw serialization("Expected a string at 'NextToken'.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed) || typeof parsed.t !== "number" || typeof parsed.s !== "number" || typeof parsed.f !== "string") {
    throw new AppRunnerError("InvalidNextToken", "The NextToken is not valid.");
  }
  if (!Number.isSafeInteger(parsed.t) || !Number.isSafeInteger(parsed.s)) {
    throw new AppRunnerError("InvalidNextToken", "The NextToken is not valid.");
  }
  if (parsed.f !== fingerprint) {
    throw new AppRunnerError("InvalidNextToken", "The NextToken was issued for a request with different parameters.");
  }
  return { time: parsed.t, seq: parsed.s };
}

/** Checks a LookupEvents input and reports problems with CloudTrail's exception names. */
export function parseLookupRequest(input: Record<string, unknown>): LookupRequest {
  const attribute = attributeOf(input.LookupAttributes);
  const start = timestamp(input.StartTime, "StartTime");
  const end = timestamp(input.EndTime, "EndTime");
  if (start !== undefined && end !== undefined && start > end) {
    throw new AppRunnerError("InvalidTimeRange", "The start time must not be after the end time.");
  }
  const category = input.EventCategory;
  if (category !== undefined && category !== null && category !== "insight") {
    throw new AppRunnerError("InvalidEventCategory", "EventCategory must be insight.");
  }
  const maxResults = maxResultsOf(input.MaxResults);
  const fingerprint = fingerprintOf(attribute, start, end);
  return {
    ...(attribute ? { attribute } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    maxResults,
    ...(input.NextToken !== undefined && input.NextToken !== null ? { cursor: cursorOf(input.NextToken, fingerprint) } : {}),
    insights: category === "insight",
    fingerprint,
  };
}
