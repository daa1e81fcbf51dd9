import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRefused, authOf, keys, NOW, PRINCIPAL, signed, withAuthorization, withHeader } from "../../../test/support/sigv4-fixture.js";
import type { ErrorCode } from "../../errors/codes.js";
import { ManualClock } from "../../util/clock.js";
import { checkCredential, verifySigV4, type Principal, type SignedRequest, type VerifyOptions } from "./verify.js";

/** As the AWS JSON handler verifies: the headers that choose the operation must be signed. */
const JSON_OPTIONS: VerifyOptions = {
  signingName: "apprunner",
  region: "us-east-1",
  clock: new ManualClock(NOW),
  mustSign: ["x-amz-target", "content-type"],
};
const verify = (req: SignedRequest): Principal => verifySigV4(req, keys, JSON_OPTIONS);

/** The request with its Signature replaced by what `change` makes of it. */
async function withSignature(change: (sig: string) => string): Promise<SignedRequest> {
  const r = await signed();
  return withAuthorization(r, authOf(r).replace(/Signature=([0-9a-f]+)/, (_m, sig: string) => `Signature=${change(sig)}`));
}

/** Requests that leave a header choosing the operation out of the signature (InvalidSignature). */
const unsignedCases = (
  [
    ["X-Amz-Target left out of the signature, then swapped from List to Delete", ["x-amz-target", "content-type"], "X-Amz-Target", "AppRunner.DeleteService"],
    ["X-Amz-Target left out of the signature, even unchanged", ["x-amz-target"], "X-Amz-Target", undefined],
    ["Content-Type left out of the signature", ["content-type"], "Content-Type", undefined],
    ["X-Amz-Date left out of the signature", ["x-amz-date"], "X-Amz-Date", undefined],
  ] as const
).map(([name, unsigned, header, swapTo]) => ({
  name,
  request: async (): Promise<SignedRequest> => {
    const r = await signed({ unsigned: [...unsigned] });
    return swapTo === undefined ? r : withHeader(r, header.toLowerCase(), [swapTo]);
  },
  code: "InvalidSignature" as ErrorCode,
  message: new RegExp(`'${header}' must be a 'SignedHeader'`),
}));

describe("SigV4 refuses malformed and replayable signatures", () => {
  const cases: { name: string; request: () => Promise<SignedRequest>; code: ErrorCode; message: RegExp }[] = [
    { name: "trailing junk after the signature", request: () => withSignature((s) => `${s}zz`), code: "InvalidSignature", message: /does not match/ },
    { name: "one hex digit more (odd length)", request: () => withSignature((s) => `${s}0`), code: "InvalidSignature", message: /does not match/ },
    { name: "one hex digit less (odd length)", request: () => withSignature((s) => s.slice(0, -1)), code: "InvalidSignature", message: /does not match/ },
    { name: "the right signature in upper case", request: () => withSignature((s) => s.toUpperCase()), code: "InvalidSignature", message: /does not match/ },
    { name: "a signature of 32 bytes' hex with a space inside", request: () => withSignature((s) => `${s.slice(0, 32)} ${s.slice(32)}`), code: "InvalidSignature", message: /does not match/ },
    {
      name: "two Authorization headers, the first one valid",
      request: async () => {
        const r = await signed();
        return withHeader(r, "authorization", [authOf(r), "AWS4-HMAC-SHA256 Credential=x/20260115/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=00"]);
      },
      code: "IncompleteSignature",
      message: /exactly one 'Authorization' header/,
    },
    {
      name: "two Authorization headers, both the valid one",
      request: async () => {
        const r = await signed();
        return withHeader(r, "authorization", [authOf(r), authOf(r)]);
      },
      code: "IncompleteSignature",
      message: /exactly one 'Authorization' header/,
    },
    {
      name: "two X-Amz-Target headers",
      request: async () => withHeader(await signed(), "x-amz-target", ["AppRunner.ListServices", "AppRunner.DeleteService"]),
      code: "IncompleteSignature",
      message: /exactly one 'X-Amz-Target' header/,
    },
    ...unsignedCases,
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const req = await c.request();
      assertRefused(() => verify(req), c.code, c.message);
    });
  }

  it("still accepts the SDK's own signature (it signs every header that chooses the operation)", async () => {
    assert.deepEqual(verify(await signed()), PRINCIPAL);
  });

  it("refuses a malformed signature before the body exists", async () => {
    const { body: _body, ...head } = await withSignature((s) => `${s}zz`);
    assert.throws(() => checkCredential(head, keys, JSON_OPTIONS), { code: "InvalidSignature" });
  });

  it("refuses an unknown key before the body exists", async () => {
    const { body: _body, ...head } = await signed({ credentials: { accessKeyId: "AKIANOBODYKNOWSTHIS1", secretAccessKey: "x" } });
    assert.throws(() => checkCredential(head, keys, JSON_OPTIONS), { code: "UnrecognizedClient" });
  });
});
