import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertRefused, KEY, keys, NOW, PRINCIPAL, signed, withHeader } from "../../../test/support/sigv4-fixture.js";
import type { ErrorCode } from "../../errors/codes.js";
import { ManualClock } from "../../util/clock.js";
import type { Principal } from "../principal.js";
import { sessionTokenSha256 } from "../temporary-credentials.js";
import { verifySigV4, type CredentialLookup, type SignedRequest } from "./verify.js";

const SESSION_KEY = { accessKeyId: "ASIAOPENRUNNERTEST01", secretAccessKey: "dGVtcG9yYXJ5LXNlY3JldC10ZW1wb3Jhcnktc2Vj" };
const TOKEN = "IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ" + "x".repeat(300);
const EXPIRES = NOW + 15 * 60_000;
const SESSION_PRINCIPAL: Principal = {
  accessKeyId: SESSION_KEY.accessKeyId,
  accountId: "123456789012",
  arn: "arn:aws:sts::123456789012:assumed-role/deploy/ci",
  type: "AssumedRole",
  userId: "AROAEXAMPLEEXAMPLE123:ci",
  role: { arn: "arn:aws:iam::123456789012:role/deploy", name: "deploy", id: "AROAEXAMPLEEXAMPLE123", sessionName: "ci" },
  expiresAt: EXPIRES,
};

/** The fixture's long-term root key plus one temporary key whose session ends at EXPIRES. */
const lookup: CredentialLookup = {
  find: (id) =>
    id === SESSION_KEY.accessKeyId
      ? { secretAccessKey: SESSION_KEY.secretAccessKey, principal: SESSION_PRINCIPAL, session: { tokenSha256: sessionTokenSha256(TOKEN), expiresAt: EXPIRES } }
      : keys.find(id),
};

const verifyAt = (req: SignedRequest, now = NOW): Principal =>
  verifySigV4(req, lookup, { signingName: "apprunner", region: "us-east-1", clock: new ManualClock(now) });

const withSession = (sessionToken: string | undefined, over: { unsigned?: string[] } = {}): Promise<SignedRequest> =>
  signed({ credentials: { ...SESSION_KEY, ...(sessionToken === undefined ? {} : { sessionToken }) }, ...over });

describe("temporary credentials: the session token on every signed request", () => {
  it("accepts the right token, signed, before the session expires", async () => {
    const req = await withSession(TOKEN);
    assert.equal(req.headers.get("x-amz-security-token")?.[0], TOKEN, "the SDK's signer sends the token");
    assert.deepEqual(verifyAt(req), SESSION_PRINCIPAL);
    assert.deepEqual(verifyAt(req, EXPIRES - 1), SESSION_PRINCIPAL, "a millisecond before its expiry");
  });

  const refusals: { name: string; request: () => Promise<SignedRequest>; now?: number; code: ErrorCode; message: RegExp }[] = [
    { name: "a temporary key without its token", request: () => withSession(undefined), code: "UnrecognizedClient", message: /^The security token included in the request is invalid\.$/ },
    { name: "an empty token", request: async () => withHeader(await withSession(TOKEN), "x-amz-security-token", [""]), code: "UnrecognizedClient", message: /is invalid/ },
    { name: "another session's token", request: () => withSession(TOKEN.slice(0, -1) + "y"), code: "UnrecognizedClient", message: /is invalid/ },
    { name: "the token's SHA-256 instead of the token", request: () => withSession(sessionTokenSha256(TOKEN)), code: "UnrecognizedClient", message: /is invalid/ },
    { name: "the token sent twice", request: async () => withHeader(await withSession(TOKEN), "x-amz-security-token", [TOKEN, TOKEN]), code: "IncompleteSignature", message: /exactly one 'X-Amz-Security-Token' header/ },
    { name: "the token not among the signed headers", request: () => withSession(TOKEN, { unsigned: ["x-amz-security-token"] }), code: "InvalidSignature", message: /'X-Amz-Security-Token' must be a 'SignedHeader'/ },
    { name: "the right token at its expiry", request: () => withSession(TOKEN), now: EXPIRES, code: "ExpiredToken", message: /^The security token included in the request is expired$/ },
    { name: "the right token a day after its expiry", request: () => withSession(TOKEN), now: EXPIRES + 86_400_000, code: "ExpiredToken", message: /is expired/ },
    { name: "a wrong token after the expiry (invalid comes first)", request: () => withSession("nope"), now: EXPIRES + 1, code: "UnrecognizedClient", message: /is invalid/ },
    { name: "a long-term key with a session token", request: () => signed({ credentials: { ...KEY, sessionToken: TOKEN } }), code: "UnrecognizedClient", message: /is invalid/ },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}: ${c.code}`, async () => {
      const req = await c.request();
      // Signed at the time it is checked, so only the session decides.
      const at = c.now ?? NOW;
      const resigned = at === NOW ? req : await resignAt(req, at, c);
      assertRefused(() => verifyAt(resigned, at), c.code, c.message);
    });
  }

  it("a long-term key without a token is still the key's principal", async () => {
    assert.deepEqual(verifyAt(await signed()), PRINCIPAL);
  });
});

/** The same request as signed at `at` (the expiry cases), so the signature's date is current. */
async function resignAt(req: SignedRequest, at: number, c: { name: string }): Promise<SignedRequest> {
  const token = req.headers.get("x-amz-security-token")?.[0];
  assert.ok(token !== undefined, c.name);
  return signed({ credentials: { ...SESSION_KEY, sessionToken: token }, signingDate: new Date(at) });
}
