import type { IncomingMessage } from "node:http";

/** A request header's first value, or "". */
export function firstHeader(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

/**
 * For a form-encoded POST (the awsQuery protocol: CloudWatch, STS), the service its SigV4
 * credential scope names ("" when it is not signed); undefined for any other request. Routes
 * take the awsQuery requests of their own service and leave the rest to the JSON handler,
 * which answers them with that service's errors.
 */
const FORM = "application/x-www-form-urlencoded";

export function awsQueryService(req: IncomingMessage): string | undefined {
  if (req.method !== "POST") return undefined;
  const header = firstHeader(req, "content-type");
  // Every route asks this of every call; an AWS JSON call's shorter type is told apart unsplit.
  if (header.length < FORM.length) return undefined;
  const contentType = header.split(";")[0]?.trim().toLowerCase();
  if (contentType !== FORM) return undefined;
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\//.exec(firstHeader(req, "authorization"));
  return scope?.[1] ?? "";
}
