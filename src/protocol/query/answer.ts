import type { IncomingMessage, ServerResponse } from "node:http";
import { firstHeader } from "../http/aws-query.js";
import type { ApiCallListener, ApiCallRecord } from "../service-registry.js";

/** An awsQuery answer (CloudWatch's, STS's, IAM's): XML, its length, and AWS's request id header. */
export function sendQueryXml(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
  res.end(xml);
}

/** Reports an awsQuery call to the audit trail, with who sent it from where as the request says. */
export function recordQueryCall(record: ApiCallListener, req: IncomingMessage, call: Omit<ApiCallRecord, "sourceIp" | "userAgent">): void {
  record({ ...call, sourceIp: req.socket.remoteAddress ?? "", userAgent: firstHeader(req, "user-agent") });
}
