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
  /** Consecutive failures of the current step, for back-off. */
  failures?: number;
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
  const { Progress: _progress, ...sent } = doc;
  const status = sent.Status?.toLowerCase() as CustomDomainStatus | undefined;
  return status === sent.Status ? sent : { ...sent, Status: status };
}
