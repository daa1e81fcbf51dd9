import type { IncomingMessage } from "node:http";
import type { Clock } from "../../util/clock.js";
import { checkCredential, checkSignature, type CredentialLookup, type Principal } from "../../iam/sigv4/verify.js";
import { readBody } from "../../util/request-body.js";
import { signedHeadOf } from "../http/read-request.js";

/**
 * An awsQuery request's caller and form: the Authorization header's shape and the key are
 * checked before a byte of the body is read, the body is read up to `maxBodyBytes`, then the
 * signature. Content-Type chooses the protocol, so it must be signed.
 */
export async function readSignedForm(
  req: IncomingMessage,
  opts: { credentials: CredentialLookup; signingName: string; region: string; clock: Clock; maxBodyBytes: number; alsoRegions?: readonly string[] },
): Promise<{ principal: Principal; params: URLSearchParams }> {
  const head = signedHeadOf(req);
  const credential = checkCredential(head, opts.credentials, {
    signingName: opts.signingName,
    region: opts.region,
    ...(opts.alsoRegions ? { alsoRegions: opts.alsoRegions } : {}),
    clock: opts.clock,
    mustSign: ["content-type"],
  });
  const body = await readBody(req, opts.maxBodyBytes);
  const principal = checkSignature(credential, head, body);
  return { principal, params: new URLSearchParams(body.toString("utf8")) };
}
