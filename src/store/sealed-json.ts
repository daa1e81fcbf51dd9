import type { SealedSecret, SecretBox } from "../iam/secret-box.js";

/**
 * Members whose values are secrets the API still has to give back (App Runner returns
 * RuntimeEnvironmentVariables in DescribeService, keys and values both marked sensitive in its
 * model): stored sealed, so a copy of openrunner.db alone reveals none of them.
 */
const SEALED_MEMBERS: ReadonlySet<string> = new Set(["RuntimeEnvironmentVariables"]);
const MARK = "$sealed";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isSealed(v: unknown): v is { [MARK]: SealedSecret } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && MARK in v && Object.keys(v).length === 1;
}

function walk(value: Json, onMember: (name: string, member: Json) => Json): Json {
  if (Array.isArray(value)) return value.map((v) => walk(v, onMember));
  if (typeof value !== "object" || value === null) return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = SEALED_MEMBERS.has(k) && v !== null ? onMember(k, v) : walk(v, onMember);
  return out;
}

/**
 * JSON text for a column, every sealed member encrypted with `context` (the row's ARN) as
 * authenticated data, so a ciphertext copied onto another row does not open there.
 */
export class SealedJson {
  constructor(private readonly box: SecretBox) {}

  stringify(value: unknown, context: string): string {
    const sealed = walk(value as Json, (_, member) => (isSealed(member) ? member : { [MARK]: this.box.seal(JSON.stringify(member), context) as unknown as Json }));
    return JSON.stringify(sealed);
  }

  parse<T>(text: string, context: string): T {
    const value = JSON.parse(text) as Json;
    if (!text.includes(`"${MARK}"`)) return value as T;
    return walk(value, (_, member) => (isSealed(member) ? (JSON.parse(this.box.open(member[MARK], context)) as Json) : member)) as T;
  }

  /** Whether a stored text still holds a sealed member in clear (written before sealing existed). */
  static holdsClear(text: string): boolean {
    let clear = false;
    walk(JSON.parse(text) as Json, (_, member) => {
      if (!isSealed(member)) clear = true;
      return member;
    });
    return clear;
  }
}
