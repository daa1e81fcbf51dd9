import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRefused, authOf, KEY, keys, NOW, PRINCIPAL, signed, withAuthorization } from "../../../test/support/sigv4-fixture.js";
import type { SignOptions } from "../../../test/support/sigv4-signer.js";
import type { ErrorCode } from "../../errors/codes.js";
import { ManualClock } from "../../util/clock.js";
import { canonicalQuery } from "./canonical.js";
import { verifySigV4, type Principal, type SignedRequest } from "./verify.js";

const MINUTE = 60_000;

function verify(req: SignedRequest): Principal {
  return verifySigV4(req, keys, { signingName: "apprunner", region: "us-east-1", clock: new ManualClock(NOW) });
}

describe("verifySigV4 accepts what the AWS SDK's signer produces", () => {
  const cases: { name: string; over: Partial<SignOptions> }[] = [
    { name: "a JSON POST", over: {} },
    { name: "an empty body", over: { body: "" } },
    { name: "signed 14 minutes ago", over: { signingDate: new Date(NOW - 14 * MINUTE) } },
    { name: "signed 14 minutes ahead", over: { signingDate: new Date(NOW + 14 * MINUTE) } },
    { name: "a query string", over: { url: "http://127.0.0.1:8600/?b=2&a=1%20x" } },
    { name: "a non-ASCII body", over: { body: JSON.stringify({ ServiceName: "caf\u00e9-\u2603" }) } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      assert.deepEqual(verify(await signed(c.over)), PRINCIPAL);
    });
  }
});

describe("verifySigV4 refuses with AWS's exception and message", () => {
  const cases: { name: string; request: () => Promise<SignedRequest>; code: ErrorCode; message: RegExp }[] = [
    {
      name: "no Authorization header",
      request: async () => withAuthorization(await signed(), undefined),
      code: "MissingAuthenticationToken",
      message: /^Missing Authentication Token$/,
    },
    {
      name: "a blank Authorization header",
      request: async () => withAuthorization(await signed(), "  "),
      code: "MissingAuthenticationToken",
      message: /Missing Authentication Token/,
    },
    {
      name: "a Bearer token",
      request: async () => withAuthorization(await signed(), "Bearer x"),
      code: "IncompleteSignature",
      message: /requires 'Credential' parameter.*Authorization=Bearer/,
    },
    {
      name: "no Signature",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace(/, Signature=[0-9a-f]+/, ""));
      },
      code: "IncompleteSignature",
      message: /requires 'Signature' parameter/,
    },
    {
      name: "no SignedHeaders",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace(/, SignedHeaders=[^,]+/, ""));
      },
      code: "IncompleteSignature",
      message: /requires 'SignedHeaders' parameter/,
    },
    {
      name: "no Credential",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace(/Credential=[^,]+, /, ""));
      },
      code: "IncompleteSignature",
      message: /requires 'Credential' parameter/,
    },
    {
      name: "a Credential of three parts",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace(/Credential=[^,]+/, `Credential=${KEY.accessKeyId}/20260115/us-east-1`));
      },
      code: "IncompleteSignature",
      message: /at least 5 slash-separated parts, not 3/,
    },
    {
      name: "no X-Amz-Date or Date header",
      request: async () => {
        const r = await signed();
        const headers = new Map(r.headers);
        headers.delete("x-amz-date");
        return { ...r, headers };
      },
      code: "IncompleteSignature",
      message: /either a 'X-Amz-Date' or a 'Date' header/,
    },
    {
      name: "an unknown access key",
      request: () => signed({ credentials: { accessKeyId: "AKIANOBODYKNOWSTHIS1", secretAccessKey: KEY.secretAccessKey } }),
      code: "UnrecognizedClient",
      message: /security token included in the request is invalid/,
    },
    {
      name: "the wrong secret",
      request: () => signed({ credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: "not-the-secret" } }),
      code: "InvalidSignature",
      message: /signature we calculated does not match/,
    },
    {
      name: "a tampered body (x-amz-content-sha256 no longer matches)",
      request: async () => ({ ...(await signed()), body: Buffer.from(JSON.stringify({ MaxResults: 6 })) }),
      code: "InvalidSignature",
      message: /'x-amz-content-sha256' header does not match/,
    },
    {
      name: "a tampered body without x-amz-content-sha256",
      request: async () => {
        const r = await signed();
        const headers = new Map(r.headers);
        headers.delete("x-amz-content-sha256");
        return { ...r, headers, body: Buffer.from(JSON.stringify({ MaxResults: 6 })) };
      },
      code: "InvalidSignature",
      message: /signature we calculated does not match/,
    },
    {
      name: "a tampered signed header (X-Amz-Target)",
      request: async () => {
        const r = await signed();
        const headers = new Map(r.headers);
        headers.set("x-amz-target", ["AppRunner.DeleteService"]);
        return { ...r, headers };
      },
      code: "InvalidSignature",
      message: /signature we calculated does not match/,
    },
    {
      name: "a signature that is not hex",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace(/Signature=[0-9a-f]+/, "Signature=zz"));
      },
      code: "InvalidSignature",
      message: /signature we calculated does not match/,
    },
    {
      name: "signed more than 15 minutes ago",
      request: () => signed({ signingDate: new Date(NOW - 16 * MINUTE) }),
      code: "InvalidSignature",
      message: /^Signature expired: 20260115T114400Z is now earlier than 20260115T114500Z/,
    },
    {
      name: "signed more than 15 minutes ahead",
      request: () => signed({ signingDate: new Date(NOW + 16 * MINUTE) }),
      code: "InvalidSignature",
      message: /^Signature not yet current: 20260115T121600Z is still later than 20260115T121500Z/,
    },
    {
      name: "scoped to another region",
      request: () => signed({ region: "eu-west-1" }),
      code: "InvalidSignature",
      message: /scoped to a valid region/,
    },
    {
      name: "scoped to another service",
      request: () => signed({ service: "lambda" }),
      code: "InvalidSignature",
      message: /scoped to correct service: 'apprunner'/,
    },
    {
      name: "a scope without the aws4_request terminator",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace("/aws4_request", "/aws5_request"));
      },
      code: "InvalidSignature",
      message: /valid terminator: 'aws4_request', not 'aws5_request'/,
    },
    {
      name: "a scope date that is not the X-Amz-Date's day",
      request: async () => {
        const r = await signed();
        return withAuthorization(r, authOf(r).replace("/20260115/", "/20260114/"));
      },
      code: "InvalidSignature",
      message: /Date in Credential scope does not match YYYYMMDD/,
    },
    {
      name: "host not among the signed headers",
      request: () => signed({ unsigned: ["host"] }),
      code: "InvalidSignature",
      message: /'Host' or ':authority' must be a 'SignedHeader'/,
    },
    {
      name: "an X-Amz-Date that is not a date",
      request: async () => {
        const r = await signed();
        const headers = new Map(r.headers);
        headers.set("x-amz-date", ["yesterday"]);
        return { ...r, headers };
      },
      code: "IncompleteSignature",
      message: /Date must be in ISO-8601 'basic format'/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const req = await c.request();
      assertRefused(() => verify(req), c.code, c.message);
    });
  }
});

describe("canonicalQuery", () => {
  const cases: [raw: string, canonical: string][] = [
    ["", ""],
    ["b=2&a=1", "a=1&b=2"],
    ["a=2&a=1", "a=1&a=2"],
    ["q=a+b&r=a%20b", "q=a%20b&r=a%20b"],
    ["k=%E2%98%83", "k=%E2%98%83"],
    ["flag", "flag="],
    ["x=*'()!", "x=%2A%27%28%29%21"],
    // Malformed escapes are read as typed, never a thrown URIError (a 500 before).
    ["a=%zz", "a=%25zz"],
    ["a=%zz%20b&c=%", "a=%25zz%20b&c=%25"],
    ["X-Amz-Signature=abc&a=1", "a=1"],
  ];
  for (const [raw, canonical] of cases) {
    it(JSON.stringify(raw), () => {
      assert.equal(canonicalQuery(raw), canonical);
    });
  }
});
