import { createHash } from "node:crypto";
import type { CertificateValidationRecord, CustomDomain } from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";

/**
 * App Runner sends a custom domain association's status in lower case (`creating`,
 * `pending_certificate_dns_validation`, `binding_certificate`, `active`, `create_failed`,
 * `deleting`, `delete_failed`), although its model lists them in upper case; clients compare
 * with what the service sends (Terraform's AWS provider waits for
 * `pending_certificate_dns_validation`). The certificate records' own statuses
 * (`PENDING_VALIDATION`, ...) are upper case, as modelled.
 */
export const CUSTOM_DOMAIN_STATUS = {
  creating: "creating",
  createFailed: "create_failed",
  pendingCertificateDnsValidation: "pending_certificate_dns_validation",
  bindingCertificate: "binding_certificate",
  active: "active",
  deleting: "deleting",
  deleteFailed: "delete_failed",
} as const;
export type CustomDomainStatus = (typeof CUSTOM_DOMAIN_STATUS)[keyof typeof CUSTOM_DOMAIN_STATUS];

/**
 * A validation record as stored and sent. `CheckResult` and `CheckedAt` are OpenRunner's
 * extension (AWS clients ignore members they do not model): what the last real DNS query found,
 * in words ("_acme-challenge.example.com has no CNAME record; create one pointing to ...").
 */
export type ValidationRecordDoc = Wire<CertificateValidationRecord> & { CheckResult?: string; CheckedAt?: number };

/** The certificate serving an active association (OpenRunner's extension of CustomDomain). */
export interface CustomDomainCertificate {
  Issuer: string;
  NotBefore: number;
  NotAfter: number;
  /** When the background renewal next tries (well before NotAfter). */
  RenewAfter: number;
  /** OK until a renewal fails; FAILING (with RenewalMessage) while retries back off. */
  RenewalStatus: "OK" | "FAILING";
  RenewalMessage?: string;
}

/** The controller's bookkeeping, never sent (customDomainForWire drops it). */
export interface CustomDomainProgress {
  /** When the association was made: validation gives up (create_failed) after the guide's 72 hours... of waiting. */
  since: number;
  /** Next time the controller looks at it (DNS checks, an order, a renewal); absent: at once. */
  nextAttemptAt?: number;
  /** Consecutive failures of the current step (DNS checks while pending, renewals while active), for back-off. */
  failures?: number;
  /** Consecutive refused orders of a new certificate: kept across the pending <-> binding round trips they cause, for their back-off. */
  orderFailures?: number;
  /** Per certificate name: how OpenRunner proves control (dns-01 through the CNAME, http-01 when the name points at the data plane). */
  challenges?: Record<string, "dns-01" | "http-01">;
}

export type CustomDomainDoc = Omit<Wire<CustomDomain>, "Status" | "CertificateValidationRecords"> & {
  Status?: CustomDomainStatus;
  CertificateValidationRecords?: ValidationRecordDoc[];
  /** OpenRunner's extension: why the association waits or failed, in words. */
  StatusMessage?: string;
  Certificate?: CustomDomainCertificate;
  Progress?: CustomDomainProgress;
};

/**
 * An association as it goes out. Data directories written before statuses were sent in App
 * Runner's case hold the model's upper-case spelling, which lower-cases to App Runner's.
 */
export function customDomainForWire(doc: CustomDomainDoc): CustomDomainDoc {
  const status = doc.Status?.toLowerCase() as CustomDomainStatus | undefined;
  if (doc.Progress === undefined && status === doc.Status) return doc;
  const { Progress: _progress, ...sent } = doc;
  return status === sent.Status ? sent : { ...sent, Status: status };
}

/**
 * What the API needs of the custom-domain controller (src/custom-domains/): a wake-up when an
 * association changed, and the words a new association starts waiting with.
 */
export interface CustomDomainNotifier {
  changed(): void;
  /** The first StatusMessage of a new association (what the controller would say before any check). */
  initialStatusMessage(): string | undefined;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Uint8Array, chars: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}

const normalName = (name: string): string => name.toLowerCase().replace(/\.$/, "");

/**
 * Where the validation CNAME of `validationName` (`_acme-challenge.example.com`) points: a label
 * derived from the name alone (20 base32 characters of a SHA-256) in OpenRunner's challenge zone.
 * Stable, so a re-association and every renewal use the record the user created once, and a domain
 * and its wildcard (both `_acme-challenge.example.com`) share it.
 */
export function challengeTarget(zone: string, validationName: string): string {
  const digest = createHash("sha256").update(`openrunner-acme-dns:${normalName(validationName)}`).digest();
  return `${base32(digest, 20)}.${normalName(zone)}`;
}

/** The names an association's certificate holds: the domain (a wildcard as `*.example.com`), and `www.` when enabled. */
export function certificateNames(domain: string, enableWww: boolean): string[] {
  const name = normalName(domain);
  return enableWww && !name.startsWith("*.") ? [name, `www.${name}`] : [name];
}

/** `_acme-challenge.<name>`, on a wildcard's base (its authorization is for the base). */
export function validationNameOf(certificateName: string): string {
  return `_acme-challenge.${normalName(certificateName).replace(/^\*\./, "")}`;
}

/** The records a user creates once, per certificate name: `_acme-challenge.<N>.` CNAME `<target>.`. */
export function validationRecords(zone: string, names: readonly string[]): ValidationRecordDoc[] {
  return names.map((n) => {
    const vname = validationNameOf(n);
    return { Name: `${vname}.`, Type: "CNAME", Value: `${challengeTarget(zone, vname)}.`, Status: "PENDING_VALIDATION" };
  });
}
