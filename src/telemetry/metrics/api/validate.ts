import { invalidValue, missingParameter } from "./errors.js";
import type { Shape } from "./shapes.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `Dimensions.member.2.Name`: how CloudWatch names a parameter in its messages, whatever the protocol. */
export const memberPath = (path: string, name: string): string => (path ? `${path}.${name}` : name);

/**
 * Checks an input in JSON-protocol form (what the SDK sends, and what the awsQuery decoder
 * produces) against the shape: required members, types, lengths, enums and list sizes. Unknown
 * members are ignored, as AWS does. Semantic checks (periods, statistics) are the operations'.
 */
export function checkShape(value: unknown, shape: Shape, path: string): void {
  switch (shape.type) {
    case "structure": {
      if (!isRecord(value)) throw invalidValue(`The parameter ${path || "input"} must be a structure.`);
      for (const name of shape.required ?? []) {
        if (value[name] === undefined || value[name] === null) throw missingParameter(memberPath(path, name));
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const v = value[name];
        if (v !== undefined && v !== null) checkShape(v, member, memberPath(path, name));
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) throw invalidValue(`The parameter ${path} must be a list.`);
      if (shape.max !== undefined && value.length > shape.max) {
        throw invalidValue(`The collection ${path} must not have more than ${shape.max} members.`);
      }
      if (shape.min !== undefined && value.length < shape.min) {
        throw invalidValue(`The collection ${path} must have at least ${shape.min} member${shape.min === 1 ? "" : "s"}.`);
      }
      value.forEach((item, i) => checkShape(item, shape.member, `${path}.member.${i + 1}`));
      return;
    }
    case "string": {
      if (typeof value !== "string") throw invalidValue(`The parameter ${path} must be a string.`);
      if (shape.min !== undefined && value.length < shape.min) throw invalidValue(`The parameter ${path} must not be empty.`);
      if (shape.max !== undefined && value.length > shape.max) {
        throw invalidValue(`The parameter ${path} must be at most ${shape.max} characters long.`);
      }
      if (shape.enum && !shape.enum.includes(value)) {
        throw invalidValue(`The value ${value} for parameter ${path} is not valid; valid values: ${shape.enum.join(", ")}.`);
      }
      return;
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) throw invalidValue(`The parameter ${path} must be an integer.`);
      return;
    case "double":
    case "timestamp":
      // Timestamps are epoch seconds in the JSON protocol (fractions allowed).
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw invalidValue(`The parameter ${path} must be ${shape.type === "timestamp" ? "a timestamp" : "a number"}.`);
      }
      return;
    case "boolean":
      if (typeof value !== "boolean") throw invalidValue(`The parameter ${path} must be true or false.`);
      return;
    case "map":
      if (!isRecord(value)) throw invalidValue(`The parameter ${path} must be a map.`);
      return;
  }
}
