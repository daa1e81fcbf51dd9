import { invalidRequest } from "../errors/app-runner-error.js";
import type { ListQuery, ResourceRepository, ResourceRow } from "../store/resources.js";

/** NextToken is opaque to callers: a base64url cursor over a store sequence number. */
export function encodeNextToken(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString("base64url");
}

export function decodeNextToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { s?: unknown };
    if (typeof parsed.s === "number" && Number.isInteger(parsed.s)) return parsed.s;
  } catch {
    // fall through to the error below: a token we did not make is the caller's mistake
  }
  throw invalidRequest("The NextToken is not valid.");
}

/** Takes one page of at most `max` rows (fetched as max + 1) and the token for the next. */
export function page<T extends { seq: number }>(rows: T[], max: number): { items: T[]; nextToken?: string } {
  if (rows.length <= max) return { items: rows };
  const items = rows.slice(0, max);
  const last = items[items.length - 1];
  return last ? { items, nextToken: encodeNextToken(last.seq) } : { items };
}

/** The response member for a next page: present only when there is one. */
export const nextTokenField = (nextToken: string | undefined): { NextToken?: string } =>
  nextToken ? { NextToken: nextToken } : {};

/**
 * One page of a resource listing, in creation order. Without MaxResults, everything in one
 * answer, as App Runner documents for its List operations.
 */
export function listPage<TDoc>(
  resources: ResourceRepository,
  q: Omit<ListQuery, "afterSeq" | "limit">,
  token: string | undefined,
  maxResults: number | undefined,
): { items: ResourceRow<TDoc>[]; next: { NextToken?: string } } {
  const rows = resources.list<TDoc>({
    ...q,
    afterSeq: decodeNextToken(token),
    limit: maxResults === undefined ? undefined : maxResults + 1,
  });
  const { items, nextToken } = page(rows, maxResults ?? rows.length);
  return { items, next: nextTokenField(nextToken) };
}
