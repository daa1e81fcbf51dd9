import { AppRunnerError } from "../errors/app-runner-error.js";

/**
 * Splits a start command into argv the way a POSIX shell splits words: single and double
 * quotes, backslash escapes, no expansion. No shell is needed inside the image.
 */
export function splitCommand(command: string): string[] {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < command.length && '"\\$`'.includes(command.charAt(i + 1))) word += command.charAt(++i);
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < command.length) {
      word += command.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new AppRunnerError("InstanceFailed", `The start command has an unterminated ${quote} quote: ${command}`);
  if (inWord) out.push(word);
  return out;
}
