import { invalidPattern } from "./errors.js";

type Path = readonly (string | number)[];

/**
 * `{"wildcard": "dir/*.png"}`: `*` stands for any run of characters (none included), `\*` for
 * an asterisk and `\\` for a backslash; any other escape and two `*` in a row are refused, as
 * EventBridge refuses them. Matching splits the pattern at its stars and finds the pieces left
 * to right, which takes time linear in the value: no regular expression, so no backtracking blow-up.
 */
export function wildcardMatcher(spec: unknown, path: Path): (v: string) => boolean {
  if (typeof spec !== "string") throw invalidPattern("wildcard match pattern must be a string", path);
  const pieces: string[] = [""];
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] ?? "";
    if (c === "\\") {
      const next = spec[i + 1];
      if (next !== "*" && next !== "\\") throw invalidPattern(`Invalid escape character at pos ${i}`, path);
      pieces[pieces.length - 1] += next;
      i++;
    } else if (c === "*") {
      if (spec[i + 1] === "*") throw invalidPattern(`Consecutive wildcard characters at pos ${i + 1}`, path);
      pieces.push("");
    } else {
      pieces[pieces.length - 1] += c;
    }
  }
  return (value) => globMatch(pieces, value);
}

/** pieces: the literal text between stars; one piece means no star at all. */
function globMatch(pieces: readonly string[], value: string): boolean {
  const first = pieces[0] ?? "";
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? "";
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? "";
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
