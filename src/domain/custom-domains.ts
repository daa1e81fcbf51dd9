import type { CustomDomain } from "@aws-sdk/client-apprunner";
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

export type CustomDomainDoc = Omit<Wire<CustomDomain>, "Status"> & { Status?: CustomDomainStatus };

/**
 * An association as it goes out. Data directories written before statuses were sent in App
 * Runner's case hold the model's upper-case spelling, which lower-cases to App Runner's.
 */
export function customDomainForWire(doc: CustomDomainDoc): CustomDomainDoc {
  const status = doc.Status?.toLowerCase() as CustomDomainStatus | undefined;
  return status === doc.Status ? doc : { ...doc, Status: status };
}
