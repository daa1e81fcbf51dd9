import { compilePatternText, type ObjectPattern } from "./compile.js";
import type { JsonValue } from "./json.js";
import { matchObject } from "./match.js";

/** An event pattern checked once and ready to test events against many times. */
export interface EventPattern {
  readonly text: string;
  matches(event: unknown): boolean;
}

/** Throws InvalidEventPatternException (AppRunnerError) when EventBridge would refuse the pattern. */
export function compilePattern(text: string): EventPattern {
  const root: ObjectPattern = compilePatternText(text);
  return { text, matches: (event) => matchObject(root, event as JsonValue) };
}

/**
 * Compiled patterns by text: rules are few and change rarely while events are many, so each
 * pattern is compiled once. Bounded, in case rules churn.
 */
export class PatternCache {
  private readonly byText = new Map<string, EventPattern>();
  constructor(private readonly max = 1000) {}

  get(text: string): EventPattern {
    let p = this.byText.get(text);
    if (!p) {
      if (this.byText.size >= this.max) this.byText.clear();
      p = compilePattern(text);
      this.byText.set(text, p);
    }
    return p;
  }
}
