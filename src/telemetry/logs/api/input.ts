import { AppRunnerError } from "../../../errors/app-runner-error.js";

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** Checked against the whole value, as AWS does. */
  pattern?: string;
}

interface NumberRule {
  required?: boolean;
  min?: number;
  max?: number;
}

/**
 * Hand validation of a CloudWatch Logs request (no model is shipped for it): wrong JSON
 * types are SerializationException; constraint violations are collected and reported as one
 * InvalidParameterException in Coral's words, as CloudWatch Logs answers.
 */
export class LogsInput {
  /** `prefix` and a shared `violations` list serve nested structures (logEvents.1.member.message). */
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly prefix = "",
    private readonly violations: string[] = [],
  ) {}

  /** A nested structure whose violations are reported with this request's. */
  member(path: string, value: unknown): LogsInput {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw typeError(this.prefix + path, "a structure", value);
    return new LogsInput(value as Record<string, unknown>, `${this.prefix}${path}.`, this.violations);
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.present(name, rule.required);
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw typeError(this.prefix + name, "a string", v);
    this.checkString(v, this.prefix + name, rule);
    return v;
  }

  integer(name: string, rule: NumberRule = {}): number | undefined {
    const v = this.present(name, rule.required);
    if (v === undefined) return undefined;
    const path = this.prefix + name;
    if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(path, "an integer", v);
    if (rule.min !== undefined && v < rule.min) this.violate(v, path, `have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) this.violate(v, path, `have value less than or equal to ${rule.max}`);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.present(name, false);
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") throw typeError(this.prefix + name, "a boolean", v);
    return v;
  }

  enumeration<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v !== undefined && !(values as readonly string[]).includes(v)) {
      this.violate(v, this.prefix + name, `satisfy enum value set: [${values.join(", ")}]`);
      return undefined;
    }
    return v as T | undefined;
  }

  list(name: string, rule: { required?: boolean; min?: number; max?: number }): unknown[] | undefined {
    const v = this.present(name, rule.required);
    if (v === undefined) return undefined;
    const path = this.prefix + name;
    if (!Array.isArray(v)) throw typeError(path, "a list", v);
    if (rule.min !== undefined && v.length < rule.min) this.violate(v.length, path, `have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) this.violate(v.length, path, `have length less than or equal to ${rule.max}`);
    return v;
  }

  stringList(name: string, rule: { min?: number; max?: number; item: StringRule }): string[] | undefined {
    return this.list(name, rule)?.map((item, i) => {
      const path = `${this.prefix}${name}.${i + 1}.member`;
      if (typeof item !== "string") throw typeError(path, "a string", item);
      this.checkString(item, path, rule.item);
      return item;
    });
  }

  /** Records a violation found by the caller (enums of numbers, cross-field rules in Coral form). */
  violate(value: unknown, path: string, constraint: string): void {
    const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
    this.violations.push(`Value ${shown} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }

  /** Throws the collected violations, if any; call once every member is read. */
  check(): void {
    const n = this.violations.length;
    if (n > 0) {
      throw new AppRunnerError("InvalidParameter", `${n} validation error${n === 1 ? "" : "s"} detected: ${this.violations.join("; ")}`);
    }
  }

  private checkString(v: string, path: string, rule: StringRule): void {
    if (rule.min !== undefined && v.length < rule.min) this.violate(v, path, `have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) this.violate(v, path, `have length less than or equal to ${rule.max}`);
    if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`, "s").test(v)) {
      this.violate(v, path, `satisfy regular expression pattern: ${rule.pattern}`);
    }
  }

  private present(name: string, required: boolean | undefined): unknown {
    const v = this.raw[name];
    if (v === undefined || v === null) {
      if (required) this.violate(null, this.prefix + name, "not be null");
      return undefined;
    }
    return v;
  }
}

function typeError(path: string, expected: string, value: unknown): AppRunnerError {
  const got = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
  return new AppRunnerError("Serialization", `Expected ${expected} at '${path}' but found ${got}.`);
}

export const invalidParameter = (message: string): AppRunnerError => new AppRunnerError("InvalidParameter", message);

/** Names as botocore's model constrains them. */
export const LOG_GROUP_NAME = { min: 1, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]+" } as const;
export const LOG_GROUP_IDENTIFIER = { min: 1, max: 2048, pattern: "[\\w#+=/:,.@-]*" } as const;
export const LOG_STREAM_NAME = { min: 1, max: 512, pattern: "[^:*]*" } as const;
