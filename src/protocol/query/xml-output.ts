import { shapeOf, type ServiceModel } from "../../model/model.js";
import { escapeXml } from "./escape-xml.js";

/*
 * awsQuery answers, written from the model's output shape and the handler's JSON-form output:
 * `<XResponse xmlns><XResult>members</XResult><ResponseMetadata>…`, lists as `<member>`
 * elements, maps as `<entry><key/><value/></entry>`, booleans as true/false, timestamps (epoch
 * seconds in the JSON form) as ISO 8601. Members are written in the model file's order (XML
 * readers look them up by name); absent ones are left out, as AWS leaves them.
 */

/** ISO 8601 as AWS's XML APIs print it: `2026-12-05T10:00:00Z` (milliseconds only when there are any). */
export function isoTimestamp(epochSeconds: number): string {
  return new Date(Math.round(epochSeconds * 1000)).toISOString().replace(".000Z", "Z");
}

function scalarText(type: string, value: unknown): string {
  if (type === "timestamp" && typeof value === "number") return isoTimestamp(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return escapeXml(String(value));
}

function element(model: ServiceModel, shapeName: string, name: string, value: unknown): string {
  return `<${name}>${body(model, shapeName, value)}</${name}>`;
}

function body(model: ServiceModel, shapeName: string, value: unknown): string {
  const s = shapeOf(model, shapeName);
  switch (s.type) {
    case "structure": {
      const obj = (value ?? {}) as Record<string, unknown>;
      let out = "";
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const v = obj[member];
        if (v !== undefined && v !== null) out += element(model, ref.shape, member, v);
      }
      return out;
    }
    case "list": {
      const member = s.member?.shape ?? "";
      return (value as unknown[]).map((item) => element(model, member, "member", item)).join("");
    }
    case "map":
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${element(model, s.value?.shape ?? "", "value", v)}</entry>`)
        .join("");
    default:
      return scalarText(s.type, value);
  }
}

/** A successful answer to `operation`: its result (when the model gives it an output) and the request id. */
export function queryResponseXml(model: ServiceModel, operation: string, output: unknown, requestId: string): string {
  const ref = model.operations[operation]?.output;
  const result = ref ? element(model, ref.shape, ref.resultWrapper ?? `${operation}Result`, output) : "";
  return (
    `<${operation}Response xmlns="${escapeXml(model.metadata.xmlNamespace ?? "")}">${result}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

/** An error answer, as IAM and STS send them. */
export function queryErrorXml(xmlNamespace: string, error: { type: string; code: string; message: string }, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${escapeXml(xmlNamespace)}">` +
    `<Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
