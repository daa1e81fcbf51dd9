import type { ServerResponse } from "node:http";
import type { AppRunnerError } from "../../errors/app-runner-error.js";
import { answerJson } from "../kept-answer.js";

/** AWS JSON error: `__type` and `Message` in the body, the type again in x-amzn-ErrorType. */
export function writeError(res: ServerResponse, requestId: string, jsonVersion: string, err: AppRunnerError): void {
  const body = JSON.stringify({ __type: err.awsType, Message: err.message });
  res.writeHead(err.httpStatus, {
    "Content-Type": `application/x-amz-json-${jsonVersion}`,
    "Content-Length": Buffer.byteLength(body),
    "x-amzn-RequestId": requestId,
    "x-amzn-ErrorType": err.awsType,
  });
  res.end(body);
}

export function writeJson(res: ServerResponse, requestId: string, jsonVersion: string, output: unknown): void {
  const body = answerJson(output);
  res.writeHead(200, {
    "Content-Type": `application/x-amz-json-${jsonVersion}`,
    "Content-Length": body.bytes,
    "x-amzn-RequestId": requestId,
  });
  res.end(body.text);
}
