/**
 * CloudTrail's limits on what one event keeps. requestParameters and responseElements are at
 * most 100 KB each; past that CloudTrail drops the field's content and says so with
 * `"omitted": true` (its record-contents reference). OpenRunner also keeps the original size,
 * so an operator sees how large the call was. Free text (errorMessage, userAgent) is cut to a
 * kilobyte, so with userIdentity and the fixed fields an event stays far below CloudTrail's
 * 256 KB per event, whatever the caller sent.
 */
export const MAX_PARAMETERS_BYTES = 100 * 1024;
export const MAX_TEXT_CHARS = 1024;
/** The most a recorded event can weigh; field-limits.test.ts holds the limits above to it. */
export const MAX_EVENT_BYTES = 256 * 1024;

export interface OmittedParameters {
  omitted: true;
  originalSize: number;
}

/** The parameters as recorded: themselves when small enough, else the marker CloudTrail leaves. */
export function capParameters(value: Record<string, unknown> | null): Record<string, unknown> | OmittedParameters | null {
  if (value === null) return null;
  const size = Buffer.byteLength(JSON.stringify(value), "utf8");
  return size <= MAX_PARAMETERS_BYTES ? value : { omitted: true, originalSize: size };
}

/** Free text cut to MAX_TEXT_CHARS, marked where it was cut; never a lone half of a surrogate pair. */
export function capText(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text;
  let end = MAX_TEXT_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}...(truncated)`;
}
