/**
 * What the Custom domains tab shows of an association, decided without a browser. The shapes
 * follow the server's CustomDomainDoc (src/domain/custom-domains.ts); its OpenRunner extensions
 * (StatusMessage, each record's CheckResult/CheckedAt, Certificate) are optional here because an
 * older server, or an association the controller has not looked at yet, sends none of them.
 */

export interface ValidationRecordView {
  Name?: string;
  Type?: string;
  Value?: string;
  Status?: string;
  CheckResult?: string;
  CheckedAt?: number;
}

export interface CertificateView {
  Issuer?: string;
  NotBefore?: number;
  NotAfter?: number;
  RenewAfter?: number;
  RenewalStatus?: string;
  RenewalMessage?: string;
}

export interface CustomDomainView {
  DomainName?: string;
  EnableWWWSubdomain?: boolean;
  Status?: string;
  StatusMessage?: string;
  CertificateValidationRecords?: ValidationRecordView[];
  Certificate?: CertificateView;
}

/** App Runner's console words for the association statuses its API sends in lower case. */
const STATUS_LABELS: Record<string, string> = {
  creating: "Creating",
  pending_certificate_dns_validation: "Pending certificate DNS validation",
  binding_certificate: "Binding certificate",
  active: "Active",
  create_failed: "Create failed",
  deleting: "Deleting",
  delete_failed: "Delete failed",
};

/** A status as App Runner's console labels it; the model's upper-case spelling reads the same, anything else in words. */
export function domainStatusLabel(status: string | undefined): string {
  if (!status) return "—";
  const label = STATUS_LABELS[status.toLowerCase()];
  if (label) return label;
  const words = status.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Statuses the association leaves by itself: the tab polls faster while one is shown. */
export function isDomainInProgress(status: string | undefined): boolean {
  return ["creating", "pending_certificate_dns_validation", "binding_certificate", "deleting"].includes((status ?? "").toLowerCase());
}

/**
 * A wire timestamp as a Date. Documents carry epoch seconds (AWS JSON); a value past 1e11 can
 * only be milliseconds (1e11 seconds is the year 5138), so either reads right.
 */
export function wireDate(value: number | undefined): Date | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return new Date(value > 1e11 ? value : value * 1000);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days left before `notAfter` ("expires in 45 days"), or how long ago it expired. */
export function expiryText(notAfter: Date, now: Date): string {
  const left = notAfter.getTime() - now.getTime();
  if (left <= 0) {
    const ago = Math.floor(-left / DAY_MS);
    return ago === 0 ? "expired today" : `expired ${ago} ${ago === 1 ? "day" : "days"} ago`;
  }
  const days = Math.floor(left / DAY_MS);
  return days === 0 ? "expires within a day" : `expires in ${days} ${days === 1 ? "day" : "days"}`;
}

/** One DNS record the user creates: the domain (and www) pointing at the service. */
export interface DnsRecordRow {
  name: string;
  type: string;
  value: string;
}

/**
 * The records that send a domain's traffic to the service (DescribeCustomDomains' DNSTarget):
 * the domain itself and, with EnableWWWSubdomain, its www. A wildcard's CNAME sits on the
 * wildcard name. An apex domain needs an ALIAS/ANAME where the DNS provider has one (the tab says so).
 */
export function dnsTargetRecords(domain: CustomDomainView, dnsTarget: string | undefined): DnsRecordRow[] {
  const name = domain.DomainName;
  if (!name || !dnsTarget) return [];
  const names = domain.EnableWWWSubdomain && !name.startsWith("*.") ? [name, `www.${name}`] : [name];
  return names.map((n) => ({ name: n, type: "CNAME", value: dnsTarget }));
}

/** A certificate validation record as a row: its own status in words, and the last DNS check, when one was made. */
export interface ValidationRow {
  name: string;
  type: string;
  value: string;
  status: string;
  statusLabel: string;
  checkResult: string | undefined;
  checkedAt: Date | undefined;
}

export function validationRows(domain: CustomDomainView): ValidationRow[] {
  return (domain.CertificateValidationRecords ?? []).map((r) => {
    const status = r.Status ?? "";
    const words = status.toLowerCase().replace(/_/g, " ");
    return {
      name: r.Name ?? "",
      type: r.Type ?? "",
      value: r.Value ?? "",
      status,
      statusLabel: words ? words.charAt(0).toUpperCase() + words.slice(1) : "—",
      checkResult: r.CheckResult || undefined,
      checkedAt: wireDate(r.CheckedAt),
    };
  });
}

/** The certificate's facts as the tile shows them; `renewalWarning` only while renewals fail. */
export interface CertificateFacts {
  issuer: string;
  notBefore: Date | undefined;
  notAfter: Date | undefined;
  expiry: string | undefined;
  renewalFailing: boolean;
  renewalWarning: string | undefined;
}

export function certificateFacts(cert: CertificateView | undefined, now: Date): CertificateFacts | undefined {
  if (!cert) return undefined;
  const notAfter = wireDate(cert.NotAfter);
  const renewalFailing = (cert.RenewalStatus ?? "").toUpperCase() === "FAILING";
  const expiry = notAfter ? expiryText(notAfter, now) : undefined;
  return {
    issuer: cert.Issuer || "—",
    notBefore: wireDate(cert.NotBefore),
    notAfter,
    expiry,
    renewalFailing,
    renewalWarning: renewalFailing
      ? `Renewing the certificate is failing${cert.RenewalMessage ? `: ${cert.RenewalMessage}` : ""}. OpenRunner keeps retrying${expiry ? `; the current certificate ${expiry}` : ""}.`
      : undefined,
  };
}
