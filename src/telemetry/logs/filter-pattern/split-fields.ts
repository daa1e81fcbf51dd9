/**
 * Splits a line into space-delimited fields as CloudWatch does for `[...]` patterns: runs of
 * whitespace separate fields, and a field that starts with `"` or `[` runs to its closing
 * `"` or `]` (spaces included); those delimiters are not part of the value.
 */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    while (i < n && /\s/.test(message.charAt(i))) i++;
    if (i >= n) break;
    const open = message.charAt(i);
    const close = open === '"' ? '"' : open === "[" ? "]" : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const start = i;
    while (i < n && !/\s/.test(message.charAt(i))) i++;
    out.push(message.slice(start, i));
  }
  return out;
}
