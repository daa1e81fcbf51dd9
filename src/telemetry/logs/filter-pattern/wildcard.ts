/**
 * String comparison of filter patterns: `*` matches any run of characters, everything else
 * is literal and case-sensitive. Compiled to an anchored RegExp once per pattern.
 */
export function globMatcher(glob: string): (value: string) => boolean {
  if (!glob.includes("*")) return (value) => value === glob;
  const source = glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const re = new RegExp(`^${source}$`, "s");
  return (value) => re.test(value);
}

/** The longest literal run of a glob: text every matching value must contain. */
export function longestLiteral(glob: string): string {
  return glob.split("*").reduce((best, part) => (part.length > best.length ? part : best), "");
}
