import type { ReactNode } from "react";

/**
 * Tones by status, in the model's upper case. App Runner sends auto scaling configuration and
 * custom domain statuses in lower case (`active`, `pending_certificate_dns_validation`), so the
 * badge looks a status up in upper case and shows (and exposes as data-status) what was sent.
 */
const TONES: Record<string, string> = {
  RUNNING: "ok",
  ACTIVE: "ok",
  AVAILABLE: "ok",
  SUCCEEDED: "ok",
  SUCCESS: "ok",
  HEALTHY: "ok",
  ROLLBACK_SUCCEEDED: "warn",
  PROMOTED: "ok",
  ABORTED: "warn",
  PAUSED: "muted",
  DELETED: "muted",
  INACTIVE: "muted",
  OPERATION_IN_PROGRESS: "busy",
  IN_PROGRESS: "busy",
  PENDING: "busy",
  PENDING_HANDSHAKE: "busy",
  PENDING_CERTIFICATE_DNS_VALIDATION: "busy",
  PENDING_VALIDATION: "busy",
  BINDING_CERTIFICATE: "busy",
  CREATING: "busy",
  STARTING: "busy",
  DELETING: "busy",
  ROLLBACK_IN_PROGRESS: "busy",
  CREATE_FAILED: "bad",
  DELETE_FAILED: "bad",
  FAILED: "bad",
  ERROR: "bad",
  UNHEALTHY: "bad",
  ROLLBACK_FAILED: "bad",
};

/** "OPERATION_IN_PROGRESS" (or "pending_certificate_dns_validation") → "Operation in progress", as App Runner's console words it. */
export function humanStatus(status: string | undefined): string {
  if (!status) return "—";
  const words = status.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `label` words a status differently from humanStatus (a custom domain's "Pending certificate DNS validation"). */
export function StatusBadge({ status, label }: { status: string | undefined; label?: string }): ReactNode {
  const tone = TONES[(status ?? "").toUpperCase()] ?? "muted";
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      <span aria-hidden="true" className="dot" />
      {label ?? humanStatus(status)}
    </span>
  );
}
