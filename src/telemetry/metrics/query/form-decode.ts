import { invalidValue } from "../api/errors.js";
import type { Shape, StructureShape } from "../api/shapes.js";

/**
 * Decodes awsQuery form parameters (botocore's QuerySerializer: `Dimensions.member.1.Name`,
 * `Statistics.member.2`, ISO 8601 timestamps, `true`/`false`, an empty list as `Name=`) into
 * the JSON-protocol form of the same input, so both protocols reach one implementation and the
 * audit trail sees one shape. Timestamps become epoch seconds, as awsJson sends them.
 */
export function decodeQuery(params: URLSearchParams, shape: StructureShape): Record<string, unknown> {
  const present = new Set<string>();
  for (const key of params.keys()) {
    present.add(key);
    for (let i = key.indexOf("."); i >= 0; i = key.indexOf(".", i + 1)) present.add(key.slice(0, i));
  }
  return decodeStructure(params, present, "", shape);
}

function decodeStructure(params: URLSearchParams, present: Set<string>, prefix: string, shape: StructureShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (present.has(key)) out[name] = decode(params, present, key, member);
  }
  return out;
}

function decode(params: URLSearchParams, present: Set<string>, key: string, shape: Shape): unknown {
  switch (shape.type) {
    case "structure":
      return decodeStructure(params, present, key, shape);
    case "list": {
      const items: unknown[] = [];
      for (let i = 1; present.has(`${key}.member.${i}`); i++) items.push(decode(params, present, `${key}.member.${i}`, shape.member));
      return items;
    }
    case "map":
      // No input of these operations has a map.
      return undefined;
    default:
      return decodeScalar(params.get(key) ?? "", key, shape.type);
  }
}

export function decodeScalar(text: string, key: string, type: "string" | "integer" | "double" | "boolean" | "timestamp"): unknown {
  switch (type) {
    case "string":
      return text;
    case "integer":
      if (!/^-?\d+$/.test(text)) throw invalidValue(`The parameter ${key} must be an integer, got '${text}'.`);
      return Number(text);
    case "double": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) throw invalidValue(`The parameter ${key} must be a number, got '${text}'.`);
      return n;
    }
    case "boolean":
      if (text !== "true" && text !== "false") throw invalidValue(`The parameter ${key} must be true or false, got '${text}'.`);
      return text === "true";
    case "timestamp":
      return parseTimestamp(text, key);
  }
}

/** ISO 8601 (what botocore sends), or epoch seconds for hand-written requests. */
export function parseTimestamp(text: string, key: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(iso)) throw invalidValue(`The parameter ${key} must be an ISO 8601 UTC timestamp (for example 2016-10-03T23:00:00Z), got '${text}'.`);
  return iso / 1000;
}
