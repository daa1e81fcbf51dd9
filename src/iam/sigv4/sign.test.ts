import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHash } from "node:crypto";
import { KEY, keys, NOW, PRINCIPAL, signed } from "../../../test/support/sigv4-fixture.js";
import { ManualClock } from "../../util/clock.js";
import { signRequest } from "./sign.js";
import { verifySigV4, type SignedRequest } from "./verify.js";

const BODY = JSON.stringify({ MaxResults: 5 });
const HEADERS = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AppRunner.ListServices" };

function asReceived(headers: Record<string, string>, body: string): SignedRequest {
  return { method: "POST", rawPath: "/", rawQuery: "", headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])), body: Buffer.from(body) };
}

const ours = (body = BODY, key = KEY): SignedRequest =>
  asReceived(signRequest({ url: new URL("http://127.0.0.1:8600/"), method: "POST", headers: HEADERS, body, region: "us-east-1", service: "apprunner", now: NOW }, key), body);

const verify = (req: SignedRequest) => verifySigV4(req, keys, { signingName: "apprunner", region: "us-east-1", clock: new ManualClock(NOW), mustSign: ["x-amz-target", "content-type"] });

/** The CLI's signer (no AWS SDK at run time) against the verifier and against the SDK's own signer. */
describe("signRequest: OpenRunner's own SigV4 signer", () => {
  it("signs what the verifier accepts, the target and content type among the signed headers", () => {
    assert.deepEqual(verify(ours()), PRINCIPAL);
    assert.match(ours().headers.get("authorization")?.[0] ?? "", /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
  });

  it("produces the AWS SDK signer's signature for the same request", async () => {
    const sdk = await signed();
    // The SDK signs the payload hash header as well: given the same headers, the signatures are equal.
    const headers = { ...HEADERS, "x-amz-content-sha256": createHash("sha256").update(BODY).digest("hex") };
    const mine = signRequest({ url: new URL("http://127.0.0.1:8600/"), method: "POST", headers, body: BODY, region: "us-east-1", service: "apprunner", now: NOW }, KEY);
    assert.equal(mine.authorization, sdk.headers.get("authorization")?.[0]);
  });

  it("a changed body or another key's secret is refused", () => {
    const req = ours();
    assert.throws(() => verify({ ...req, body: Buffer.from(JSON.stringify({ MaxResults: 6 })) }), { code: "InvalidSignature" });
    assert.throws(() => verify(ours(BODY, { ...KEY, secretAccessKey: "x".repeat(40) })), { code: "InvalidSignature" });
  });
});
