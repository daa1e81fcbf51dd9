import { escapeXml } from "../../../protocol/query/escape-xml.js";
import type { Shape, StructureShape } from "../api/shapes.js";

export const XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";

/** `2026-01-01T00:00:00Z`, with milliseconds only when there are any (as AWS writes them). */
export const isoTimestamp = (epochSeconds: number): string => new Date(Math.round(epochSeconds * 1000)).toISOString().replace(".000Z", "Z");

/** One value as awsQuery XML: lists as <member>, maps as <entry><key/><value/></entry>. */
export function xmlValue(value: unknown, shape: Shape): string {
  switch (shape.type) {
    case "structure":
      return xmlMembers(value as Record<string, unknown>, shape);
    case "list":
      return (value as unknown[]).map((item) => `<member>${xmlValue(item, shape.member)}</member>`).join("");
    case "map":
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${xmlValue(k, shape.key)}</key><value>${xmlValue(v, shape.value)}</value></entry>`)
        .join("");
    case "timestamp":
      return isoTimestamp(value as number);
    case "boolean":
      return value ? "true" : "false";
    default:
      return escapeXml(String(value));
  }
}

function xmlMembers(value: Record<string, unknown>, shape: StructureShape): string {
  let out = "";
  for (const [name, member] of Object.entries(shape.members)) {
    const v = value[name];
    if (v !== undefined && v !== null) out += `<${name}>${xmlValue(v, member)}</${name}>`;
  }
  return out;
}

/** `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>`. */
export function responseXml(operation: string, output: Record<string, unknown>, shape: StructureShape, requestId: string): string {
  return (
    `<${operation}Response xmlns="${XML_NAMESPACE}">` +
    `<${operation}Result>${xmlMembers(output, shape)}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  );
}

export function errorXml(type: "Sender" | "Receiver", code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${XML_NAMESPACE}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId>` +
    `</ErrorResponse>`
  );
}
