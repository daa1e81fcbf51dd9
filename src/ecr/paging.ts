import { invalidParameterAt } from "./errors.js";

/*
 * ECR's nextToken: opaque to callers, here a base64url cursor over the sort key of the last
 * item of the page (a repository name, an image digest), so a page stays right when items
 * before it are deleted between calls.
 */

export const encodeNextToken = (afterKey: string): string => Buffer.from(JSON.stringify({ a: afterKey })).toString("base64url");

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { a?: unknown };
    if (typeof parsed.a === "string") return parsed.a;
  } catch {
    // not a token of ours: the caller's mistake, reported below
  }
  throw invalidParameterAt("nextToken", "Invalid pagination token");
}

/**
 * One page of `items` (already in key order) after the token's key: at most `max`, and a
 * token for the next page only when there is one.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, token: string | undefined, max: number): { items: T[]; nextToken?: string } {
  const after = decodeNextToken(token);
  const rest = after === undefined ? [...items] : items.filter((i) => keyOf(i) > after);
  if (rest.length <= max) return { items: rest };
  const page = rest.slice(0, max);
  const last = page[page.length - 1];
  return last === undefined ? { items: page } : { items: page, nextToken: encodeNextToken(keyOf(last)) };
}
