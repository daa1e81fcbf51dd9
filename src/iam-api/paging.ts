import { AppRunnerError } from "../errors/app-runner-error.js";

export interface PageInput {
  Marker?: string;
  MaxItems?: number;
}

/**
 * IAM's paging: at most MaxItems (100 by default), IsTruncated and an opaque Marker for the
 * rest. The marker is the position, base64-encoded; lists are sorted by name, so it holds
 * between calls unless entities come and go.
 */
export function page<T>(items: readonly T[], input: PageInput): { items: T[]; IsTruncated: boolean; Marker?: string } {
  let start = 0;
  if (input.Marker !== undefined) {
    const position = Buffer.from(input.Marker, "base64").toString("utf8");
    if (!/^\d{1,9}$/.test(position)) throw new AppRunnerError("IamInvalidInput", "Invalid Marker.");
    start = Number(position);
  }
  const max = input.MaxItems ?? 100;
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length
    ? { items: slice, IsTruncated: true, Marker: Buffer.from(String(next)).toString("base64") }
    : { items: slice, IsTruncated: false };
}
