import type { AcmeSettings } from "../acme/types.js";
import type { ChallengeZoneSettings } from "../dns/types.js";

/**
 * How OpenRunner validates custom domains and gets their certificates (`openrunner up` flags:
 * --acme-directory, --acme-email, --acme-eab-kid, --acme-eab-hmac-key, --acme-ca-certificates,
 * --acme-dns-zone, --acme-dns-listen, --dns-resolver, --data-plane-address).
 */
export interface CustomDomainSettings {
  /** Absent: associations wait in pending_certificate_dns_validation, saying no CA is configured. */
  acme?: Omit<AcmeSettings, "accountDir">;
  /** The zone the validation CNAMEs point into; absent: DNS-01 is off (HTTP-01 only, no wildcards). */
  challengeZone?: ChallengeZoneSettings;
  /** "ip" or "ip:port" resolvers for record checks; absent: the system's. */
  resolvers?: string[];
  /**
   * The addresses users' domains may point at (A/AAAA) for HTTP-01; absent: 127.0.0.1, where
   * the router listens (custom-domains/wiring.ts), none without a router. Given, it replaces that.
   */
  dataPlaneAddresses?: string[];
  /** Timings, for tests and benchmarks (defaults in custom-domains/schedule.ts). */
  timings?: Partial<CustomDomainTimings>;
}

export interface CustomDomainTimings {
  /** Between DNS checks of a pending association: starts here and backs off... */
  firstCheckMs: number;
  /** ...up to this. */
  maxCheckMs: number;
  /** A pending association that never validates becomes create_failed after this long (72 h). */
  validationTimeoutMs: number;
  /** A certificate is renewed once this fraction of its lifetime has passed (2/3, as Let's Encrypt advises). */
  renewAtFraction: number;
  /** A failed order or renewal is retried after this, doubling up to maxRetryMs. */
  firstRetryMs: number;
  maxRetryMs: number;
}
