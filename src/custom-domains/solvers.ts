import type { ChallengeSolver, ChallengeType, PresentedChallenge } from "../acme/types.js";
import type { ChallengeZone } from "../dns/types.js";
import { challengeTarget } from "../domain/custom-domains.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CustomDomainDataPlane } from "../router/types.js";

/** DNS-01: the TXT value at the name the user's `_acme-challenge` CNAME points at, in OpenRunner's zone. */
export function dnsSolver(zone: ChallengeZone, zoneName: string): ChallengeSolver {
  const at = (c: PresentedChallenge): { name: string; value: string } => {
    if (c.dnsValue === undefined) throw new AppRunnerError("CertificateIssuanceFailed", `The CA's dns-01 challenge for ${c.identifier} came without its TXT value.`);
    return { name: challengeTarget(zoneName, `_acme-challenge.${c.identifier}`), value: c.dnsValue };
  };
  return {
    present: (c) => {
      const { name, value } = at(c);
      zone.addTxt(name, value);
      return Promise.resolve();
    },
    cleanup: (c) => {
      const { name, value } = at(c);
      zone.removeTxt(name, value);
      return Promise.resolve();
    },
  };
}

/** HTTP-01: the data plane answers the token's key authorization (before its HTTPS redirect). */
export function httpSolver(dataPlane: CustomDomainDataPlane): ChallengeSolver {
  return {
    present: (c) => dataPlane.setHttpChallenge(c.token, c.keyAuthorization),
    cleanup: (c) => dataPlane.clearHttpChallenge(c.token),
  };
}

/** A solver that refuses, with the reason, for a challenge type OpenRunner cannot answer here. */
export function unavailableSolver(type: ChallengeType, reason: string): ChallengeSolver {
  const refuse = (c: PresentedChallenge): Promise<void> =>
    Promise.reject(new AppRunnerError("CertificateIssuanceFailed", `${c.identifier} cannot be validated by ${type}: ${reason}`));
  return { present: refuse, cleanup: () => Promise.resolve() };
}
