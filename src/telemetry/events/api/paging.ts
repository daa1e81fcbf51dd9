import { validation } from "./input.js";

/** NextToken for listings in name (or id) order: the last name of the page, opaque to callers. */
export const encodeToken = (last: string): string => Buffer.from(JSON.stringify({ after: last })).toString("base64url");

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // a token we did not make: the caller's mistake, reported below
  }
  throw validation("The NextToken is not valid.");
}

/** Fetch limit + 1 rows; the extra one only says there is a next page. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; NextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return last === undefined ? { items } : { items, NextToken: encodeToken(keyOf(last)) };
}

/** Without Limit, a page of 100: ListRules' and ListTargetsByRule's largest. */
export const DEFAULT_PAGE = 100;
