import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Principal } from "../iam/principal.js";
import { issueTemporaryCredentials } from "../iam/temporary-credentials.js";
import { membersOf, type StsOperation } from "./operation.js";
import { StsInput } from "./params.js";
import { credentialsForTrail, credentialsXml } from "./xml.js";

/** GetSessionToken's DurationSeconds: 900..129600 (36 hours), 12 hours unless asked. */
export const SESSION_TOKEN_SECONDS = { min: 900, max: 129_600, default: 43_200 } as const;
/** Root's sessions are held to one hour, which is also their default. */
export const ROOT_SESSION_SECONDS = 3_600;

/** How long a GetSessionToken session of `caller` lasts when it asks for `requested` seconds. */
export function sessionTokenSeconds(caller: Principal, requested: number | undefined): number {
  if (caller.type === "Root") return Math.min(requested ?? ROOT_SESSION_SECONDS, ROOT_SESSION_SECONDS);
  return requested ?? SESSION_TOKEN_SECONDS.default;
}

/**
 * Temporary credentials of an IAM user (or root) acting as itself: the same ARN and type with a
 * new key, the session token and an expiry. Session credentials cannot make more (AWS's rule).
 */
export const getSessionToken: StsOperation = {
  trailInput: (params) => membersOf(params, ["DurationSeconds", "SerialNumber"]),
  run({ principal, params }, deps) {
    if (principal.expiresAt !== undefined) {
      throw new AppRunnerError("AccessDenied", "Cannot call GetSessionToken with session credentials");
    }
    const input = new StsInput(params);
    const requested = input.integer("DurationSeconds", SESSION_TOKEN_SECONDS);
    input.string("SerialNumber", { min: 9, max: 256, pattern: /^[\w+=/:,.@-]*$/, patternText: "[\\w+=/:,.@-]*" });
    input.string("TokenCode", { min: 6, max: 6, pattern: /^\d*$/, patternText: "[\\d]*" });
    input.check();
    if (params.has("SerialNumber") || params.has("TokenCode")) {
      // OpenRunner has no MFA devices: no code can be validated.
      throw new AppRunnerError("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.");
    }
    const now = deps.clock.now();
    const { credentials } = issueTemporaryCredentials({
      sessions: deps.sessions,
      clock: deps.clock,
      random: deps.random,
      durationSeconds: sessionTokenSeconds(principal, requested),
      principalOf: (accessKeyId, expiresAt) => {
        const { sessionTags: _ignored, ...own } = principal;
        return { ...own, accessKeyId, issuedAt: now, expiresAt };
      },
    });
    return { resultXml: credentialsXml(credentials), output: { Credentials: credentialsForTrail(credentials) } };
  },
};
