import type { FilterPattern } from "./ast.js";
import { parseDelimited } from "./parse-delimited.js";
import { parseJsonPattern } from "./parse-json.js";
import { parseTerms } from "./parse-terms.js";
import { invalidPattern } from "./scanner.js";

/** Chooses the grammar by the first character, as CloudWatch Logs does. */
export function parseFilterPattern(text: string | undefined): FilterPattern {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return { kind: "everything" };
  if (trimmed.startsWith("{")) return parseJsonPattern(trimmed);
  if (trimmed.startsWith("[")) return parseDelimited(trimmed);
  if (trimmed.startsWith("%")) {
    // Regular expressions would run user-written backtracking over every stored line.
    throw invalidPattern(trimmed, "regular expression patterns (%...%) are not supported by OpenRunner");
  }
  return parseTerms(trimmed);
}
