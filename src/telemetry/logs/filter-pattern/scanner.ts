import { AppRunnerError } from "../../../errors/app-runner-error.js";
import type { ComparisonOp, Literal } from "./ast.js";

export const invalidPattern = (pattern: string, why: string): AppRunnerError =>
  new AppRunnerError("InvalidParameter", `Invalid filter pattern '${pattern}': ${why}.`);

/** A cursor over the pattern text with the few lexical rules the three grammars share. */
export class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  fail(why: string): AppRunnerError {
    return invalidPattern(this.text, `${why} at position ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** The next non-space characters are `s` (consumed when they are). */
  take(s: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.take(s)) throw this.fail(`expected '${s}'`);
  }

  /** A case-insensitive keyword (IS, NULL, NOT, EXISTS, TRUE, FALSE) followed by a non-word character. */
  takeKeyword(word: string): boolean {
    this.skipSpace();
    const candidate = this.text.slice(this.pos, this.pos + word.length);
    const after = this.text.charAt(this.pos + word.length);
    if (candidate.toUpperCase() !== word || /[\w]/.test(after)) return false;
    this.pos += word.length;
    return true;
  }

  peek(): string {
    this.skipSpace();
    return this.text.charAt(this.pos);
  }

  /** `"..."` with `\"` and `\\` escapes; the cursor is on the opening quote. */
  quoted(): string {
    this.skipSpace();
    if (this.text.charAt(this.pos) !== '"') throw this.fail("expected '\"'");
    let out = "";
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text.charAt(i);
      if (c === "\\" && i + 1 < this.text.length) {
        out += this.text.charAt(++i);
      } else if (c === '"') {
        this.pos = i + 1;
        return out;
      } else {
        out += c;
      }
    }
    throw this.fail("unterminated quoted string");
  }

  /** The longest run of characters accepted by `ok` (possibly empty). */
  readWhile(ok: (c: string) => boolean): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && ok(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** `op value`, where ordering operators only take numbers (as CloudWatch requires). */
  comparison(stop: (c: string) => boolean): { op: ComparisonOp; value: Literal } | undefined {
    const at = this.pos;
    const op = this.comparisonOp();
    if (!op) return undefined;
    const value = this.literal(stop);
    if (op !== "=" && op !== "!=" && value.type !== "number") {
      this.pos = at;
      throw this.fail(`'${op}' compares numbers only`);
    }
    return { op, value };
  }

  comparisonOp(): ComparisonOp | undefined {
    for (const op of ["!=", "<=", ">=", "=", "<", ">"] as const) if (this.take(op)) return op;
    return undefined;
  }

  /** A quoted string, or a bare word ending at space, a comma, a bracket or an operator. */
  literal(stop: (c: string) => boolean): Literal {
    if (this.peek() === '"') return { type: "string", value: this.quoted() };
    const word = this.readWhile((c) => !/\s/.test(c) && !stop(c) && !"&|()".includes(c));
    if (word === "") throw this.fail("expected a value");
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(word)) return { type: "number", value: Number(word), text: word };
    return { type: "string", value: word };
  }
}
