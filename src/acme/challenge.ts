import type { ChallengeType } from "./types.js";

/** The parts of an RFC 8555 authorization the choice needs. */
export interface AuthorizationOffer<C extends { type: string }> {
  identifier: { value: string };
  wildcard?: boolean;
  challenges: C[];
}

export type ChallengeChoice<C> = { ok: true; type: ChallengeType; name: string; challenge: C } | { ok: false; reason: string };

/**
 * Which challenge answers an authorization: a wildcard's is always dns-01 (RFC 8555 8.3: the CA
 * offers nothing else for it); any other name takes what the caller decided for it. The name
 * given to `challengeFor` is the order's (`*.example.com` for a wildcard authorization of
 * example.com).
 */
export function chooseChallenge<C extends { type: string }>(
  authz: AuthorizationOffer<C>,
  challengeFor: (name: string) => ChallengeType,
): ChallengeChoice<C> {
  const wildcard = authz.wildcard === true;
  const name = wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
  const type: ChallengeType = wildcard ? "dns-01" : challengeFor(name);
  const challenge = authz.challenges.find((c) => c.type === type);
  if (challenge === undefined) {
    const offered = authz.challenges.map((c) => c.type).join(", ") || "none";
    return { ok: false, reason: `The CA offers no ${type} challenge for ${name} (it offers ${offered}).` };
  }
  return { ok: true, type, name, challenge };
}
