import { AppRunnerError } from "../../errors/app-runner-error.js";
import { shapeOf, type ServiceModel } from "../../model/model.js";

/*
 * awsQuery requests as botocore and the SDKs serialize them (`Action=CreateUser&UserName=x&
 * Tags.member.1.Key=k&Tags.member.1.Value=v`), read back into the JSON form the handlers, the
 * model validator and the audit trail share: members by name, lists as arrays, maps as
 * objects, booleans and numbers typed, timestamps in epoch seconds (the JSON wire form).
 * Keys the model does not name are ignored, as AWS ignores them.
 */

/** Every key and each of its dotted prefixes, so "is anything under X" is one lookup. */
function prefixesOf(params: URLSearchParams): Set<string> {
  const out = new Set<string>();
  for (const key of params.keys()) {
    let at = key.length;
    while (at > 0) {
      out.add(key.slice(0, at));
      at = key.lastIndexOf(".", at - 1);
    }
  }
  return out;
}

interface Decoding {
  model: ServiceModel;
  params: URLSearchParams;
  present: Set<string>;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function malformed(path: string, value: string, expected: string): AppRunnerError {
  return new AppRunnerError("Serialization", `Value '${value}' at '${path}' is not ${expected}.`);
}

function scalar(type: string, raw: string, path: string): unknown {
  switch (type) {
    case "boolean":
      if (raw === "true" || raw === "false") return raw === "true";
      throw malformed(path, raw, "a boolean (true or false)");
    case "integer":
    case "long":
      if (/^-?\d{1,15}$/.test(raw)) return Number(raw);
      throw malformed(path, raw, "an integer");
    case "float":
    case "double": {
      const n = Number(raw);
      if (raw.trim() !== "" && !Number.isNaN(n)) return n;
      throw malformed(path, raw, "a number");
    }
    case "timestamp": {
      const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
      if (!Number.isNaN(ms)) return ms / 1000;
      throw malformed(path, raw, "a timestamp");
    }
    default:
      return raw;
  }
}

/** The value under `key` (undefined when nothing is), `path` as the validator names it. */
function decode(d: Decoding, shapeName: string, key: string, path: string): unknown {
  const s = shapeOf(d.model, shapeName);
  switch (s.type) {
    case "structure": {
      if (key !== "" && !d.present.has(key)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const v = decode(d, ref.shape, key === "" ? member : `${key}.${member}`, path === "" ? lowerFirst(member) : `${path}.${lowerFirst(member)}`);
        if (v !== undefined) out[member] = v;
      }
      return out;
    }
    case "list": {
      if (!d.present.has(key)) return undefined;
      const items: unknown[] = [];
      // An empty list is sent as the bare key (`Tags=`).
      for (let i = 1; d.present.has(`${key}.member.${i}`); i++) {
        items.push(decode(d, s.member?.shape ?? "", `${key}.member.${i}`, `${path}.${i}.member`));
      }
      return items;
    }
    case "map": {
      if (!d.present.has(key)) return undefined;
      const out: Record<string, unknown> = {};
      for (let i = 1; d.present.has(`${key}.entry.${i}`); i++) {
        const k = d.params.get(`${key}.entry.${i}.key`);
        if (k !== null) out[k] = decode(d, s.value?.shape ?? "", `${key}.entry.${i}.value`, `${path}.${k}`);
      }
      return out;
    }
    default: {
      const raw = d.params.get(key);
      return raw === null ? undefined : scalar(s.type, raw, path);
    }
  }
}

/** The JSON-form input of an operation whose input shape is `inputShape`, from its form parameters. */
export function decodeQueryInput(model: ServiceModel, inputShape: string | undefined, params: URLSearchParams): Record<string, unknown> {
  if (inputShape === undefined) return {};
  return decode({ model, params, present: prefixesOf(params) }, inputShape, "", "") as Record<string, unknown>;
}
