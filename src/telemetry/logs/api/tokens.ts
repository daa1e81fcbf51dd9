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

/** FilterLogEvents: where the scan stopped. */
export function encodeScanToken(c: EventCursor): string {
  return Buffer.from(JSON.stringify({ t: c.t, i: c.i })).toString("base64url");
}

export function decodeScanToken(token: string): EventCursor {
  const parsed = parseJsonToken(token);
  if (typeof parsed.t !== "number" || typeof parsed.i !== "number") throw badToken();
  return { t: parsed.t, i: parsed.i };
}

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
