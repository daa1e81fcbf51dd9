import { invalidNextToken } from "./errors.js";

/*
 * SSM's NextToken: opaque to callers, here a base64url cursor over the sort key of the page's last
 * item (a name, a version), so a page stays right when items before it go between calls.
 */

const encode = (after: string | number): string => Buffer.from(JSON.stringify({ a: after })).toString("base64url");

function decode(token: string | undefined): string | number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { a?: unknown };
    if (typeof parsed.a === "string" || typeof parsed.a === "number") return parsed.a;
  } catch {
    // not a token of ours: the caller's mistake, answered below
  }
  throw invalidNextToken();
}

/** One page of `items` (in key order) after the token's key: at most `max`, a token only when more follow. */
export function pageOf<T, K extends string | number>(items: readonly T[], keyOf: (item: T) => K, token: string | undefined, max: number): { items: T[]; nextToken?: string } {
  const after = decode(token);
  if (after !== undefined && items.length > 0 && typeof after !== typeof keyOf(items[0] as T)) throw invalidNextToken();
  const rest = after === undefined ? [...items] : items.filter((i) => keyOf(i) > after);
  if (rest.length <= max) return { items: rest };
  const page = rest.slice(0, max);
  const last = page[page.length - 1];
  return last === undefined ? { items: page } : { items: page, nextToken: encode(keyOf(last)) };
}
