/**
 * Certificates from an ACME certificate authority (RFC 8555): Let's Encrypt by default, any
 * directory by flag. The one implementation is `createCertificateAuthority` (acme-client),
 * whose account key and account URL live in the data directory (0600) and survive restarts.
 */

/** Which ACME CA, and how to register with it. */
export interface AcmeSettings {
  /** The CA's directory URL; Let's Encrypt's production directory by default (LETS_ENCRYPT_DIRECTORY). */
  directoryUrl: string;
  /** The account's contact address (optional at Let's Encrypt). */
  email?: string;
  /** External account binding, for CAs that require one (ZeroSSL, Google, pebble with EAB on). */
  externalAccountBinding?: { kid: string; hmacKey: string };
  /**
   * PEM file of CA certificates trusted for the directory's own HTTPS (pebble's test CA);
   * absent: the system's trust store.
   */
  caCertificatesFile?: string;
  /** Where the account key and account URL are kept (`<dataDir>/certificates/acme`). */
  accountDir: string;
}

export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";

export type ChallengeType = "dns-01" | "http-01";

/** One challenge the CA asks OpenRunner to answer. */
export interface PresentedChallenge {
  type: ChallengeType;
  /** The name being validated, without `*.` (a wildcard's authorization is for its base). */
  identifier: string;
  wildcard: boolean;
  token: string;
  keyAuthorization: string;
  /** dns-01: the TXT value to publish at `_acme-challenge.<identifier>` (base64url SHA-256 of keyAuthorization). */
  dnsValue?: string;
}

/** Publishes and withdraws the proofs of one challenge type. */
export interface ChallengeSolver {
  present(challenge: PresentedChallenge): Promise<void>;
  cleanup(challenge: PresentedChallenge): Promise<void>;
}

export interface CertificateRequest {
  /** The certificate's names, first one its subject (`example.com`, `www.example.com`, or `*.example.com`). */
  names: string[];
  /** The challenge to answer for each name; a wildcard's must be dns-01. */
  challengeFor: (name: string) => ChallengeType;
  solvers: Record<ChallengeType, ChallengeSolver>;
  signal?: AbortSignal;
}

export interface IssuedCertificate {
  /** Leaf first, then the chain, PEM. */
  certificatePem: string;
  /** The leaf's private key (EC P-256), PEM. */
  privateKeyPem: string;
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** The issuer's subject (the CA's intermediate), for the console. */
  issuer: string;
}

export interface CertificateAuthority {
  readonly directoryUrl: string;
  /**
   * Registers the account on first use (or finds it again), orders a certificate for the names,
   * answers each authorization with its solver, and returns the certificate. Throws
   * AppRunnerError "CertificateIssuanceFailed" with the CA's own problem detail (which name,
   * which challenge, what the CA saw) when an order fails.
   */
  issue(request: CertificateRequest): Promise<IssuedCertificate>;
}
