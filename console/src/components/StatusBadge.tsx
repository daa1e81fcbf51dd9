import type { ReactNode } from "react";

const TONES: Record<string, string> = {
  RUNNING: "ok",
  ACTIVE: "ok",
  AVAILABLE: "ok",
  SUCCEEDED: "ok",
  ROLLBACK_SUCCEEDED: "warn",
  PAUSED: "muted",
  DELETED: "muted",
  INACTIVE: "muted",
  OPERATION_IN_PROGRESS: "busy",
  IN_PROGRESS: "busy",
  PENDING: "busy",
  PENDING_HANDSHAKE: "busy",
  PENDING_CERTIFICATE_DNS_VALIDATION: "busy",
  CREATING: "busy",
  DELETING: "busy",
  ROLLBACK_IN_PROGRESS: "busy",
  CREATE_FAILED: "bad",
  DELETE_FAILED: "bad",
  FAILED: "bad",
  ERROR: "bad",
  ROLLBACK_FAILED: "bad",
};

/** "OPERATION_IN_PROGRESS" → "Operation in progress", as App Runner's console words it. */
export function humanStatus(status: string | undefined): string {
  if (!status) return "—";
  const words = status.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function StatusBadge({ status }: { status: string | undefined }): ReactNode {
  const tone = TONES[status ?? ""] ?? "muted";
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      <span aria-hidden="true" className="dot" />
      {humanStatus(status)}
    </span>
  );
}
