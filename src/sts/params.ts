import { AppRunnerError } from "../errors/app-runner-error.js";

/**
 * STS's input checks in its own words: every constraint a request breaks is collected and sent
 * in one ValidationError, as Coral does ("2 validation errors detected: Value 'x' at
 * 'roleSessionName' failed to satisfy constraint: ...; ...").
 */
export class StsInput {
  private readonly problems: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  /** A member as sent (undefined when absent). */
  raw(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  string(name: string, c: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string }): string | undefined {
    const v = this.raw(name);
    const at = memberName(name);
    if (v === undefined) {
      if (c.required) this.problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (c.min !== undefined && v.length < c.min) this.problems.push(`Value '${v}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && v.length > c.max) this.problems.push(`Value '${v}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${c.max}`);
    if (c.pattern && !c.pattern.test(v)) this.problems.push(`Value '${v}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${c.patternText ?? c.pattern.source}`);
    return v;
  }

  integer(name: string, c: { min: number; max: number }): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const at = memberName(name);
    if (!/^-?\d{1,15}$/.test(v.trim())) {
      this.problems.push(`Value '${v}' at '${at}' failed to satisfy constraint: Member must be a number`);
      return undefined;
    }
    const n = Number(v);
    if (n < c.min) this.problems.push(`Value '${n}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${c.min}`);
    if (n > c.max) this.problems.push(`Value '${n}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${c.max}`);
    return n;
  }

  /** `Tags.member.N.Key` / `.Value` pairs, in N's order. */
  tags(name: string, c: { max: number }): { Key: string; Value: string }[] {
    const byIndex = new Map<number, { Key?: string; Value?: string }>();
    for (const [k, v] of this.params) {
      const m = new RegExp(`^${name}\\.member\\.(\\d+)\\.(Key|Value)$`).exec(k);
      if (!m) continue;
      const entry = byIndex.get(Number(m[1])) ?? {};
      entry[m[2] as "Key" | "Value"] = v;
      byIndex.set(Number(m[1]), entry);
    }
    const at = memberName(name);
    const tags = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    if (tags.length > c.max) this.problems.push(`Value '[${tags.length} tags]' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${c.max}`);
    const out: { Key: string; Value: string }[] = [];
    tags.forEach((t, i) => {
      const key = t.Key;
      if (key === undefined) {
        this.problems.push(`Value null at '${at}.${i + 1}.member.key' failed to satisfy constraint: Member must not be null`);
        return;
      }
      if (key.length < 1 || key.length > 128 || !TAG_KEY.test(key)) {
        this.problems.push(`Value '${key}' at '${at}.${i + 1}.member.key' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
      }
      const value = t.Value ?? "";
      if (value.length > 256 || !TAG_VALUE.test(value)) {
        this.problems.push(`Value '${value}' at '${at}.${i + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
      }
      out.push({ Key: key, Value: value });
    });
    return out;
  }

  /** Members present that OpenRunner does not act on: refused rather than ignored, since ignoring them would grant more than asked. */
  unsupported(names: readonly string[], why: string): void {
    for (const name of names) {
      const present = [...this.params.keys()].some((k) => k === name || k.startsWith(`${name}.`));
      if (present) this.problems.push(`'${memberName(name)}' is not supported: ${why}`);
    }
  }

  /** Throws the collected problems as one ValidationError. */
  check(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new AppRunnerError("ValidationError", `${n} validation error${n === 1 ? "" : "s"} detected: ${this.problems.join("; ")}`);
  }
}

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** `RoleSessionName` -> `roleSessionName`, as Coral names members in its messages. */
const memberName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
