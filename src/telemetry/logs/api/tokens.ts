import type { EventCursor } from "../store/rows.js";
import { invalidParameter } from "./input.js";

/**
 * Paging tokens. They are opaque to callers but deterministic: the same position always
 * gives the same token, which is how GetLogEvents tells a caller it reached the end (the
 * forward token it returns equals the one it was given).
 */
const badToken = (): Error => invalidParameter("The specified nextToken is invalid.");

/** GetLogEvents: `f/<timestamp>/<id>` reads after that event, `b/<timestamp>/<id>` before it. */
export function encodeStreamToken(direction: "f" | "b", c: EventCursor): string {
  return `${direction}/${String(c.t).padStart(15, "0")}/${String(c.i).padStart(20, "0")}`;
}

export function decodeStreamToken(token: string): { direction: "forward" | "backward"; cursor: EventCursor } {
  const m = /^([fb])\/(\d{1,20})\/(\d{1,20})$/.exec(token);
  if (!m?.[1] || !m[2] || !m[3]) throw badToken();
  return { direction: m[1] === "f" ? "forward" : "backward", cursor: { t: Number(m[2]), i: Number(m[3]) } };
}

/**
 * FilterLogEvents: where a search resumes (strictly after `after`). `newest` is the newest
 * event timestamp answered so far in this chain of pages, which is the startTime the AWS
 * CLI's `tail --follow` sends once the chain ends. A `follow` token continues a follow chain
 * (`follow-chain.ts`): with nothing new after its position, the request waits for new lines.
 */
export interface FilterToken {
  kind: "scan" | "follow";
  after: EventCursor;
  newest?: number;
}

export function encodeFilterToken(token: FilterToken): string {
  const body: Record<string, unknown> = token.kind === "follow" ? { k: "f" } : {};
  body.t = token.after.t;
  body.i = token.after.i;
  if (token.newest !== undefined) body.n = token.newest;
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodeFilterToken(token: string): FilterToken {
  const parsed = parseJsonToken(token);
  const { k, t, i, n } = parsed;
  if (Object.keys(parsed).some((key) => !FILTER_TOKEN_KEYS.has(key))) throw badToken();
  if ((k !== undefined && k !== "f") || !isPosition(t) || !isPosition(i) || (n !== undefined && !isPosition(n))) throw badToken();
  return { kind: k === "f" ? "follow" : "scan", after: { t, i }, ...(n === undefined ? {} : { newest: n }) };
}

const FILTER_TOKEN_KEYS = new Set(["k", "t", "i", "n"]);
const isPosition = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** DescribeLogGroups / DescribeLogStreams: the last name listed (and its last event time). */
export function encodeNameToken(name: string, time?: number): string {
  return Buffer.from(JSON.stringify(time === undefined ? { n: name } : { n: name, t: time })).toString("base64url");
}

export function decodeNameToken(token: string): { name: string; time?: number } {
  const parsed = parseJsonToken(token);
  if (typeof parsed.n !== "string" || (parsed.t !== undefined && typeof parsed.t !== "number")) throw badToken();
  return typeof parsed.t === "number" ? { name: parsed.n, time: parsed.t } : { name: parsed.n };
}

function parseJsonToken(token: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // a token we did not make is the caller's mistake, reported below
  }
  throw badToken();
}
