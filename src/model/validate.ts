import { AppRunnerError } from "../errors/app-runner-error.js";
import { appRunnerModel, shapeOf, type ServiceModel, type Shape } from "./model.js";

/**
 * Pattern overrides: where OpenRunner deliberately accepts more than App Runner's model.
 * ImageIdentifier: App Runner only takes ECR references; OpenRunner takes any OCI image
 * reference (registry[:port]/path[:tag][@digest]), ECR ones included.
 * ServiceId: the model's pattern is a UUID, but real service ids are 32 hex characters.
 */
const PATTERN_OVERRIDES: Record<string, string | null> = {
  ImageIdentifier:
    "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?",
  ServiceId: null,
};

const compiled = new WeakMap<Shape, RegExp | null>();

const overridden = (model: ServiceModel, shapeName: string): boolean => model === appRunnerModel && shapeName in PATTERN_OVERRIDES;

function patternFor(model: ServiceModel, shapeName: string, s: Shape): RegExp | null {
  const cached = compiled.get(s);
  if (cached !== undefined) return cached;
  const source = overridden(model, shapeName) ? PATTERN_OVERRIDES[shapeName] : s.pattern;
  // AWS checks a pattern against the whole value (Java's matches()), so anchor it.
  // Unicode property classes (IAM's tags: `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`) need the u flag; other patterns may not take it.
  const re = source ? new RegExp(`^(?:${source})$`, source.includes("\\p{") ? "su" : "s") : null;
  compiled.set(s, re);
  return re;
}

/**
 * "all": the model's constraints as well as its types (App Runner, whose messages are Coral's).
 * "types": JSON types only, for APIs whose handlers check constraints in their own service's words.
 */
export type ModelChecks = "all" | "types";

interface Walk {
  model: ServiceModel;
  out: Violations;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** Collects violations in Coral's words so messages read like App Runner's own; none when only types are checked. */
class Violations {
  readonly items: string[] = [];
  constructor(readonly enabled: boolean) {}
  add(value: unknown, path: string, constraint: string, sensitive: boolean): void {
    if (!this.enabled) return;
    const shown = value === undefined || value === null ? "null" : sensitive ? undefined : `'${String(value)}'`;
    const valuePart = shown === undefined ? "Value" : `Value ${shown}`;
    this.items.push(`${valuePart} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }
}

function typeError(path: string, expected: string, value: unknown): AppRunnerError {
  const got = Array.isArray(value)
    ? "an array"
    : value === null
      ? "null"
      : typeof value === "object"
        ? "an object"
        : `a ${typeof value}`;
  return new AppRunnerError("Serialization", `Expected ${expected} at '${path}' but found ${got}.`);
}

function walk(w: Walk, shapeName: string, value: unknown, path: string): void {
  const { out } = w;
  const s = shapeOf(w.model, shapeName);
  const sensitive = s.sensitive === true;
  switch (s.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw typeError(path || "input", "an object", value);
      const obj = value as Record<string, unknown>;
      for (const req of s.required ?? []) {
        if (obj[req] === undefined || obj[req] === null) {
          out.add(null, path ? `${path}.${lowerFirst(req)}` : lowerFirst(req), "not be null", false);
        }
      }
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const v = obj[member];
        if (v === undefined || v === null) continue;
        walk(w, ref.shape, v, path ? `${path}.${lowerFirst(member)}` : lowerFirst(member));
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") throw typeError(path, "a string", value);
      if (s.min !== undefined && value.length < s.min)
        out.add(value, path, `have length greater than or equal to ${s.min}`, sensitive);
      if (s.max !== undefined && value.length > s.max)
        out.add(value, path, `have length less than or equal to ${s.max}`, sensitive);
      if (s.enum && !s.enum.includes(value))
        out.add(value, path, `satisfy enum value set: [${s.enum.join(", ")}]`, sensitive);
      const re = out.enabled ? patternFor(w.model, shapeName, s) : null;
      if (re && !re.test(value)) {
        const source = overridden(w.model, shapeName) ? "a valid OCI image reference" : s.pattern ?? "";
        out.add(value, path, `satisfy regular expression pattern: ${source}`, sensitive);
      }
      return;
    }
    case "integer":
    case "long": {
      if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(path, "an integer", value);
      if (s.min !== undefined && value < s.min)
        out.add(value, path, `have value greater than or equal to ${s.min}`, sensitive);
      if (s.max !== undefined && value > s.max) out.add(value, path, `have value less than or equal to ${s.max}`, sensitive);
      return;
    }
    case "float":
    case "double":
      // AWS JSON sends NaN and the infinities as strings.
      if (!(typeof value === "number" && Number.isFinite(value)) && !["NaN", "Infinity", "-Infinity"].includes(value as string)) {
        throw typeError(path, "a number", value);
      }
      return;
    case "blob":
      if (typeof value !== "string") throw typeError(path, "a base64 string", value);
      return;
    case "boolean":
      if (typeof value !== "boolean") throw typeError(path, "a boolean", value);
      return;
    case "timestamp":
      if (typeof value !== "number" && typeof value !== "string") throw typeError(path, "a timestamp", value);
      return;
    case "list": {
      if (!Array.isArray(value)) throw typeError(path, "a list", value);
      if (s.min !== undefined && value.length < s.min)
        out.add(value.length, path, `have length greater than or equal to ${s.min}`, false);
      if (s.max !== undefined && value.length > s.max)
        out.add(value.length, path, `have length less than or equal to ${s.max}`, false);
      const member = s.member?.shape;
      if (member) value.forEach((item, i) => walk(w, member, item, `${path}.${i + 1}.member`));
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw typeError(path, "a map", value);
      const keyShape = s.key?.shape;
      const valueShape = s.value?.shape;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (keyShape) walk(w, keyShape, k, `${path}.key`);
        if (valueShape) walk(w, valueShape, v, `${path}.${k}`);
      }
      return;
    }
  }
}

/**
 * Validates an operation's input against a model (App Runner's unless another is given):
 * JSON types of every member first, then (with "all") required members, lengths, patterns,
 * enums and ranges. A wrong JSON type anywhere is a SerializationException, whatever else is
 * wrong; constraint violations are one InvalidRequestException listing them all, as Coral-based
 * AWS services do.
 */
export function validateInput(inputShape: string, input: unknown, model: ServiceModel = appRunnerModel, checks: ModelChecks = "all"): void {
  const out = new Violations(checks === "all");
  walk({ model, out }, inputShape, input, "");
  if (out.items.length > 0) {
    const n = out.items.length;
    throw new AppRunnerError(
      "InvalidRequest",
      `${n} validation error${n === 1 ? "" : "s"} detected: ${out.items.join("; ")}`,
    );
  }
}
