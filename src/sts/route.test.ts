import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { callerIdentityResultXml } from "./get-caller-identity.js";
import { isStsRequest, stsErrorXml } from "./route.js";
import { responseXml } from "./xml.js";

const SCOPE = (service: string): string => `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;
const request = (method: string, headers: Record<string, string>): IncomingMessage => ({ method, headers }) as unknown as IncomingMessage;

describe("STS GetCallerIdentity over awsQuery", () => {
  it("takes form-encoded POSTs signed for sts, and nothing else", () => {
    const form = "application/x-www-form-urlencoded; charset=utf-8";
    const cases: [string, Record<string, string>, boolean][] = [
      ["POST", { "content-type": form, authorization: SCOPE("sts") }, true],
      ["POST", { "content-type": form, authorization: SCOPE("monitoring") }, false],
      ["POST", { "content-type": form, authorization: SCOPE("iam") }, false],
      ["POST", { "content-type": form }, false],
      ["POST", { "content-type": "application/x-amz-json-1.0", authorization: SCOPE("sts") }, false],
      ["GET", { "content-type": form, authorization: SCOPE("sts") }, false],
    ];
    for (const [method, headers, expected] of cases) {
      assert.equal(isStsRequest(request(method, headers)), expected, `${method} ${JSON.stringify(headers)}`);
    }
  });

  it("describes the root key as the account itself", () => {
    const root = { accessKeyId: "AKIAEXAMPLE", accountId: "123456789012", arn: "arn:aws:iam::123456789012:root", type: "Root" } as const;
    const xml = responseXml("GetCallerIdentity", callerIdentityResultXml(root), "req-1");
    assert.equal(
      xml,
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
        "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account></GetCallerIdentityResult>" +
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    );
  });

  it("answers authentication failures with STS's codes", () => {
    const cases: [AppRunnerError, number, string][] = [
      [new AppRunnerError("UnrecognizedClient", "The security token included in the request is invalid."), 403, "InvalidClientTokenId"],
      [new AppRunnerError("InvalidSignature", "The request signature we calculated does not match."), 403, "SignatureDoesNotMatch"],
      [new AppRunnerError("UnknownOperation", "Could not find operation AssumeRole for version 2011-06-15."), 400, "InvalidAction"],
    ];
    for (const [err, status, code] of cases) {
      const out = stsErrorXml(err, "req-2");
      assert.equal(out.status, status, code);
      assert.match(out.xml, new RegExp(`^<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>`));
      assert.match(out.xml, /<RequestId>req-2<\/RequestId><\/ErrorResponse>$/);
    }
  });
});
