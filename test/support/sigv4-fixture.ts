import assert from "node:assert/strict";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { ErrorCode } from "../../src/errors/codes.js";
import type { CredentialLookup, Principal, SignedRequest } from "../../src/iam/sigv4/verify.js";
import { asSignedRequest, signRequest, type SignOptions } from "./sigv4-signer.js";

/** One known key and its principal, for unit tests of the verifier. */
export const KEY = { accessKeyId: "AKIAOPENRUNNERTEST01", secretAccessKey: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl" };
export const PRINCIPAL: Principal = {
  accessKeyId: KEY.accessKeyId,
  accountId: "123456789012",
  arn: "arn:aws:iam::123456789012:root",
  type: "Root",
};
export const keys: CredentialLookup = {
  find: (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, principal: PRINCIPAL } : undefined),
};
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const BODY = JSON.stringify({ MaxResults: 5 });

/** An App Runner ListServices call signed by the AWS SDK's signer at NOW, with `over` applied. */
export async function signed(over: Partial<SignOptions> = {}): Promise<SignedRequest> {
  const req = await signRequest({
    url: "http://127.0.0.1:8600/",
    body: BODY,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AppRunner.ListServices" },
    credentials: KEY,
    signingDate: new Date(NOW),
    ...over,
  });
  return asSignedRequest(req);
}

/** Replaces the Authorization header (or removes it with undefined). */
export function withAuthorization(req: SignedRequest, value: string | undefined): SignedRequest {
  return withHeader(req, "authorization", value === undefined ? undefined : [value]);
}

/** Replaces every value of one header (or removes it with undefined). */
export function withHeader(req: SignedRequest, name: string, values: string[] | undefined): SignedRequest {
  const headers = new Map(req.headers);
  if (values === undefined) headers.delete(name);
  else headers.set(name, values);
  return { ...req, headers };
}

export const authOf = (req: SignedRequest): string => req.headers.get("authorization")?.[0] ?? "";

/** Asserts `verify` refuses with the 403 exception and message AWS answers. */
export function assertRefused(verify: () => unknown, code: ErrorCode, message: RegExp): void {
  assert.throws(verify, (err: unknown) => {
    assert.ok(err instanceof AppRunnerError, `expected an AppRunnerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.httpStatus, 403);
    assert.match(err.message, message);
    return true;
  });
}
