import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { awsQueryService } from "./aws-query.js";

const AUTH = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261206/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
const req = (method: string, headers: Record<string, string>): IncomingMessage => ({ method, headers }) as unknown as IncomingMessage;

describe("which requests are the awsQuery protocol", () => {
  const cases: [string, IncomingMessage, string | undefined][] = [
    ["a form POST: the service its credential names", req("POST", { "content-type": "application/x-www-form-urlencoded", authorization: AUTH }), "monitoring"],
    ["with a charset, in capitals, spaced", req("POST", { "content-type": " Application/X-WWW-Form-Urlencoded ; charset=utf-8", authorization: AUTH }), "monitoring"],
    ["unsigned", req("POST", { "content-type": "application/x-www-form-urlencoded" }), ""],
    ["AWS JSON", req("POST", { "content-type": "application/x-amz-json-1.0", authorization: AUTH }), undefined],
    ["AWS JSON with a long charset", req("POST", { "content-type": "application/x-amz-json-1.1; charset=utf-8", authorization: AUTH }), undefined],
    ["no content type", req("POST", { authorization: AUTH }), undefined],
    ["a type that only starts like a form", req("POST", { "content-type": "application/x-www-form-urlencodedx", authorization: AUTH }), undefined],
    ["a GET", req("GET", { "content-type": "application/x-www-form-urlencoded", authorization: AUTH }), undefined],
  ];
  for (const [name, r, service] of cases) it(name, () => assert.equal(awsQueryService(r), service));
});
