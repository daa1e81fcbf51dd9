import { AppRunnerError } from "../../errors/app-runner-error.js";

/*
 * Secrets Manager's NextToken: opaque to callers, here the offset of the next page in the
 * listing's order (base64url JSON), refused when it is not one of ours.
 */

export const DEFAULT_MAX_RESULTS = 100;

const encode = (offset: number): string => Buffer.from(JSON.stringify({ o: offset })).toString("base64url");

function decode(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // not a token of ours: the caller's mistake, reported below
  }
  throw new AppRunnerError("InvalidNextToken", "The NextToken value is invalid.");
}

/** One page of `items` from the token's offset: at most `max` (the model bounds it to 1..100), and a token only when more follow. */
export function pageOf<T>(items: readonly T[], token: string | undefined, max: number | undefined): { items: T[]; nextToken?: string } {
  const from = decode(token);
  const size = max ?? DEFAULT_MAX_RESULTS;
  const page = items.slice(from, from + size);
  return from + size < items.length ? { items: page, nextToken: encode(from + size) } : { items: page };
}
