import { AppRunnerError } from "../../../errors/app-runner-error.js";

export const validation = (message: string): AppRunnerError => new AppRunnerError("EventsValidation", message);

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: readonly string[];
}

/**
 * Reads an EventBridge request by hand (no model is bundled for it): a wrong JSON type is a
 * SerializationException at once, constraint violations are collected and reported together
 * as one ValidationException, in the words AWS's front end uses.
 */
export class Input {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly prefix = "",
    /** Shared with the Inputs of list members, so one exception lists every violation. */
    private readonly problems: string[] = [],
  ) {}

  private path(key: string): string {
    return `${this.prefix}${lowerFirst(key)}`;
  }

  private violated(key: string, value: unknown, constraint: string): void {
    const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
    this.problems.push(`Value ${shown} at '${this.path(key)}' failed to satisfy constraint: Member must ${constraint}`);
  }

  private typed<T>(key: string, expected: string, check: (v: unknown) => v is T): T | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (!check(v)) {
      throw new AppRunnerError("Serialization", `Expected ${expected} at '${this.path(key)}' but found ${typeName(v)}.`);
    }
    return v;
  }

  string(key: string, rules: StringRules = {}): string | undefined {
    const v = this.typed(key, "a string", (x): x is string => typeof x === "string");
    if (v === undefined) {
      if (rules.required) this.violated(key, v, "not be null");
      return undefined;
    }
    if (rules.min !== undefined && v.length < rules.min) this.violated(key, v, `have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && v.length > rules.max) this.violated(key, v, `have length less than or equal to ${rules.max}`);
    if (rules.pattern && !rules.pattern.test(v)) {
      this.violated(key, v, `satisfy regular expression pattern: ${rules.pattern.source.replace(/^\^|\$$/g, "")}`);
    }
    if (rules.oneOf && !rules.oneOf.includes(v)) this.violated(key, v, `satisfy enum value set: [${rules.oneOf.join(", ")}]`);
    return v;
  }

  integer(key: string, rules: { min?: number; max?: number } = {}): number | undefined {
    const v = this.typed(key, "an integer", (x): x is number => typeof x === "number" && Number.isInteger(x));
    if (v === undefined) return undefined;
    if (rules.min !== undefined && v < rules.min) this.violated(key, v, `have value greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && v > rules.max) this.violated(key, v, `have value less than or equal to ${rules.max}`);
    return v;
  }

  boolean(key: string): boolean | undefined {
    return this.typed(key, "a boolean", (x): x is boolean => typeof x === "boolean");
  }

  number(key: string): number | undefined {
    return this.typed(key, "a number", (x): x is number => typeof x === "number" && Number.isFinite(x));
  }

  list(key: string, rules: { required?: boolean; min?: number; max?: number } = {}): unknown[] | undefined {
    const v = this.typed(key, "a list", (x): x is unknown[] => Array.isArray(x));
    if (v === undefined) {
      if (rules.required) this.violated(key, v, "not be null");
      return undefined;
    }
    if (rules.min !== undefined && v.length < rules.min) this.violated(key, v.length, `have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && v.length > rules.max) this.violated(key, v.length, `have length less than or equal to ${rules.max}`);
    return v;
  }

  /** The members of list `key` as objects, each read with its own Input (path `key.N.member.`). */
  objects(key: string, items: unknown[]): Input[] {
    return items.map((item, i) => {
      const path = `${this.path(key)}.${i + 1}.member`;
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        throw new AppRunnerError("Serialization", `Expected an object at '${path}' but found ${typeName(item)}.`);
      }
      return new Input(item as Record<string, unknown>, `${path}.`, this.problems);
    });
  }

  /** A list of strings, or undefined when absent. */
  stringList(key: string, rules: { required?: boolean; min?: number; max?: number } = {}): string[] | undefined {
    const items = this.list(key, rules);
    return items === undefined ? undefined : this.strings(key, items);
  }

  /** The list members as strings (path `key.N.member`). */
  strings(key: string, items: unknown[]): string[] {
    return items.map((item, i) => {
      if (typeof item !== "string") {
        throw new AppRunnerError("Serialization", `Expected a string at '${this.path(key)}.${i + 1}.member' but found ${typeName(item)}.`);
      }
      return item;
    });
  }

  /** Throws the collected violations, if any. */
  done(): void {
    const n = this.problems.length;
    if (n > 0) throw validation(`${n} validation error${n === 1 ? "" : "s"} detected: ${this.problems.join("; ")}`);
  }
}

/** Rule and target names: EventBridge's pattern. */
export const NAME = /^[.\-_A-Za-z0-9]+$/;
