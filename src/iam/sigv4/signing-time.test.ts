import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keys, NOW, signed, withHeader } from "../../../test/support/sigv4-fixture.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { ManualClock } from "../../util/clock.js";
import { checkCredential, type SignedRequest, type VerifyOptions } from "./verify.js";

const OPTIONS: VerifyOptions = { signingName: "apprunner", region: "us-east-1", clock: new ManualClock(NOW), mustSign: ["x-amz-target", "content-type"] };
const SECOND = 1000;

/** checkCredential's signing time, or its refusal's code and message. */
function outcome(req: SignedRequest): string {
  try {
    return checkCredential(req, keys, OPTIONS).isoDate;
  } catch (err) {
    assert.ok(err instanceof AppRunnerError);
    return `${err.code}: ${err.message}`;
  }
}

/** The same request with its X-Amz-Date replaced by a Date header (the SDK signs X-Amz-Date; the credential check reads either). */
function withDateHeader(req: SignedRequest, value: string): SignedRequest {
  const headers = new Map(req.headers);
  headers.delete("x-amz-date");
  headers.set("date", [value]);
  const auth = (headers.get("authorization")?.[0] ?? "").replace("x-amz-date", "date");
  headers.set("authorization", [auth]);
  return { ...req, headers };
}

describe("the signing time, kept from one request to the next", () => {
  it("answers each request's own date whatever was read before it, valid or not", async () => {
    const at = (ms: number) => signed({ signingDate: new Date(ms) });
    const a = await at(NOW);
    const b = await at(NOW + SECOND);
    const c = await at(NOW - 20 * 60 * SECOND);
    const garbage = withHeader(a, "x-amz-date", ["yesterday"]);
    const rfc = withDateHeader(a, new Date(NOW + 2 * SECOND).toUTCString());
    const nextDay = withHeader(a, "x-amz-date", ["20260116T000000Z"]);
    const expected = new Map<SignedRequest, string | RegExp>([
      [a, "20260115T120000Z"],
      [b, "20260115T120001Z"],
      [c, /^InvalidSignature: Signature expired: 20260115T114000Z is now earlier than/],
      [garbage, /^IncompleteSignature: Date must be in ISO-8601 'basic format'. Got 'yesterday'/],
      [rfc, "20260115T120002Z"],
      [nextDay, /^InvalidSignature: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260115' != '20260116', from '20260116T000000Z'/],
    ]);
    const order = [a, a, b, a, garbage, a, garbage, garbage, c, c, b, rfc, rfc, a, nextDay, a, nextDay, nextDay, rfc, b];
    for (const req of order) {
      const want = expected.get(req);
      const got = outcome(req);
      if (want instanceof RegExp) assert.match(got, want);
      else assert.equal(got, want);
    }
  });
});
