import { AppRunnerError } from "../../errors/app-runner-error.js";
import { jsonErrorPosition } from "../../util/json-parse-error.js";

/**
 * The deepest nesting of objects and arrays a request may have. The deepest member of any
 * model OpenRunner serves is a handful of levels down (src/model/depth.test.ts checks every
 * model stays far below this), so anything deeper is not a request AWS would parse either:
 * it only exists to make every later walk (validation, the audit trail's redaction) recurse
 * until the stack runs out.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * The nesting depth of a JSON text, counted on the raw bytes before any parsing (strings
 * skipped, escapes honoured); stops counting as soon as it passes `limit`. Malformed JSON is
 * the parser's to report: this only bounds how deep it may go.
 */
export function jsonDepthExceeds(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** An AWS JSON request body: an object (an empty body is `{}`), at most MAX_JSON_DEPTH deep. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    throw new AppRunnerError("Serialization", `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Only where: the message goes back to the caller and into the audit trail, where a quoted value would be kept.
    const position = jsonErrorPosition(err);
    throw new AppRunnerError("Serialization", `The request body is not valid JSON${position ? ` (at ${position})` : ""}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppRunnerError("Serialization", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
