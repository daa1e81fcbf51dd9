import type { CertificateAuthority, ChallengeType } from "../acme/types.js";
import type { ChallengeZone, DnsRecordChecker } from "../dns/types.js";
import type { ControlPlaneConfig } from "../domain/config.js";
import { certificateNames, CUSTOM_DOMAIN_STATUS, type CustomDomainDoc, type CustomDomainStatus } from "../domain/custom-domains.js";
import type { ServiceRow } from "../domain/service-record.js";
import type { CustomDomainDataPlane } from "../router/types.js";
import type { ResourceRow } from "../store/resources.js";
import type { Store } from "../store/store.js";
import type { ServiceEventRecorder } from "../telemetry/service-events.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { CertificateFiles } from "./certificate-files.js";
import type { Severity } from "../domain/service-events.js";
import { announce, type CustomDomainEvent } from "./events.js";
import type { CustomDomainTimings } from "./types.js";

/** The implementations the controller drives; each may be absent (see initialStatusMessage and the steps). */
export interface CustomDomainParts {
  /** Absent: associations wait, saying no certificate authority is configured. */
  authority?: CertificateAuthority;
  /** The challenge zone's server (started and stopped by the composition root); absent: DNS-01 is off. */
  zone?: ChallengeZone;
  /** Absent: no record is checked (and nothing validates). */
  checker?: DnsRecordChecker;
  /** The router; absent (no data plane): certificates are kept on disk only. */
  dataPlane?: CustomDomainDataPlane;
}

export type CustomDomainRow = ResourceRow<CustomDomainDoc>;

export const NO_AUTHORITY_MESSAGE =
  "No certificate authority is configured: start OpenRunner with --acme-directory (or --acme-email for Let's Encrypt) to validate this domain and get its certificate.";

/** What every step of the controller works with. */
export interface StepContext {
  store: Store;
  config: ControlPlaneConfig;
  clock: Clock;
  random: Random;
  events: ServiceEventRecorder;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  parts: CustomDomainParts;
  files: CertificateFiles;
  timings: CustomDomainTimings;
  /** The challenge zone's name (the validation records point into it). */
  zone: string;
  dataPlaneAddresses: readonly string[];
  signal: AbortSignal;
}

/**
 * Rewrites an association if it still has the status the step started from (an API call may
 * have moved it on while the step awaited the CA or DNS), with its event in the same
 * transaction. False when it had moved on.
 */
export function save(
  ctx: StepContext,
  arn: string,
  from: CustomDomainStatus,
  next: (doc: CustomDomainDoc) => CustomDomainDoc,
  event?: (s: ServiceRow, doc: CustomDomainDoc) => CustomDomainEvent | undefined,
): boolean {
  return ctx.store.tx(() => {
    const row = ctx.store.resources.get<CustomDomainDoc>(arn);
    if (!row || statusOf(row) !== from) return false;
    const doc = next(row.doc);
    ctx.store.resources.update({ ...row, status: doc.Status ?? row.status, doc });
    const s = ctx.store.resources.get<ServiceRow["doc"], ServiceRow["internal"]>(row.parentArn);
    const ev = s ? event?.(s, doc) : undefined;
    if (s && ev) announce(ctx, s, ev);
    return true;
  });
}

/** The event of a step's outcome for `save`: the association's move (or stay) from one status to another, in words. */
export function statusEvent(row: CustomDomainRow, from: CustomDomainStatus, to: CustomDomainStatus, message: string, severity: Severity): () => CustomDomainEvent {
  return () => ({ domain: row.name, previousStatus: from, currentStatus: to, message, severity });
}

/** Progress once a certificate is served: the challenges that proved its names are kept for renewals, the back-off counters start over. */
export function settledProgress(doc: CustomDomainDoc, since: number): NonNullable<CustomDomainDoc["Progress"]> {
  return { since, ...(doc.Progress?.challenges ? { challenges: doc.Progress.challenges } : {}) };
}

/** Rows written before statuses were sent in App Runner's case hold the model's upper case. */
export function statusOf(row: CustomDomainRow): CustomDomainStatus {
  return (row.doc.Status ?? row.status).toLowerCase() as CustomDomainStatus;
}

export const isPending = (status: CustomDomainStatus): boolean =>
  status === CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation || status === CUSTOM_DOMAIN_STATUS.creating;

/** The challenge each name is answered with: the one its check found, else DNS-01 where a zone runs. */
export function challengeFor(ctx: StepContext, doc: CustomDomainDoc, name: string): ChallengeType {
  return doc.Progress?.challenges?.[name] ?? (ctx.parts.zone || name.startsWith("*.") ? "dns-01" : "http-01");
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The names the active associations of a service serve (the domain and www., or the wildcard). */
export function activeHosts(ctx: Pick<StepContext, "store">, serviceArn: string, except?: string): string[] {
  const hosts: string[] = [];
  for (const r of ctx.store.resources.list<CustomDomainRow["doc"]>({ kind: "custom-domain", parentArn: serviceArn })) {
    if (statusOf(r) !== CUSTOM_DOMAIN_STATUS.active || r.arn === except) continue;
    hosts.push(...certificateNames(r.doc.DomainName ?? r.name, r.doc.EnableWWWSubdomain === true));
  }
  return hosts.sort();
}
