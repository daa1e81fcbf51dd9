/** JSON as JSON.parse returns it: what patterns and events are made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value an event field can hold at a leaf: what comparison operators look at. */
export type Leaf = null | boolean | number | string;

export type JsonObject = { [key: string]: JsonValue };

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export const isLeaf = (v: unknown): v is Leaf =>
  v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string";
