import type { ServiceModel, Shape } from "../../src/model/model.js";

/** One request that gives one member a value of the wrong JSON type, nothing else. */
export interface WrongTypeCase {
  /** Where the wrong value is, e.g. `SourceConfiguration.ImageRepository.Port`. */
  path: string;
  input: Record<string, unknown>;
}

/** A value no JSON reader of that type takes (AWS JSON sends NaN and the infinities as strings, so those are not used). */
function wrongValue(s: Shape): unknown {
  switch (s.type) {
    case "string":
    case "blob":
      return 12345;
    case "integer":
    case "long":
    case "float":
    case "double":
      return "not-a-number";
    case "boolean":
      return "true";
    case "timestamp":
      return true;
    case "structure":
      return "not-a-structure";
    case "list":
      return { not: "a list" };
    case "map":
      return ["not a map"];
  }
}

/**
 * Every value of `shapeName` that is right except for one member somewhere inside it: the
 * member itself given a wrong type, or a container holding such a value (list items, map
 * values, nested structures). Recursive shapes are followed once.
 */
function* wrongInside(model: ServiceModel, shapeName: string, path: string, onPath: ReadonlySet<string>): Generator<{ path: string; value: unknown }> {
  const s = model.shapes[shapeName];
  if (!s || onPath.has(shapeName)) return;
  const here = new Set(onPath).add(shapeName);
  const inner = (ref: { shape: string } | undefined, at: string): Generator<{ path: string; value: unknown }> | [] => {
    if (!ref) return [];
    const t = model.shapes[ref.shape];
    return t ? withSelf(model, ref.shape, t, at, here) : [];
  };
  switch (s.type) {
    case "structure":
      for (const [name, ref] of Object.entries(s.members ?? {})) {
        for (const w of inner(ref, `${path}.${name}`)) yield { path: w.path, value: { [name]: w.value } };
      }
      return;
    case "list":
      for (const w of inner(s.member, `${path}[0]`)) yield { path: w.path, value: [w.value] };
      return;
    case "map":
      for (const w of inner(s.value, `${path}.key`)) yield { path: w.path, value: { key: w.value } };
      return;
    default:
      return;
  }
}

function* withSelf(model: ServiceModel, shapeName: string, s: Shape, path: string, onPath: ReadonlySet<string>): Generator<{ path: string; value: unknown }> {
  yield { path, value: wrongValue(s) };
  yield* wrongInside(model, shapeName, path, onPath);
}

/** The cases of every operation of a model: operation name and request. */
export function* wrongTypeCases(model: ServiceModel): Generator<{ operation: string } & WrongTypeCase> {
  for (const [operation, op] of Object.entries(model.operations)) {
    if (!op.input) continue;
    for (const w of wrongInside(model, op.input.shape, "", new Set())) {
      yield { operation, path: w.path.slice(1), input: w.value as Record<string, unknown> };
    }
  }
}
