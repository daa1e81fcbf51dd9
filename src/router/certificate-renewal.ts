import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";
import type { CertificatePaths } from "./certificates.js";

/** The outcome of one renewal of the router's own certificate, for the server to make visible. */
export interface CertificateRenewalOutcome {
  status: "ok" | "failed";
  /** When the certificate now served expires (the old one's when the renewal failed and it is known). */
  notAfter?: Date;
  message: string;
}

/** Twice a day: a failure is retried long before the 30 days of margin run out. */
export const CERTIFICATE_CHECK_MS = 12 * 3600 * 1000;

export interface RouterCertificateRenewalOptions {
  everyMs?: number;
  /** ensureCertificates with the router's names and renew-before window. */
  ensure: () => Promise<CertificatePaths>;
  /** Serves the reissued tls.pem without a restart. */
  swap: (tlsPem: string) => Promise<void>;
  onOutcome?: (outcome: CertificateRenewalOutcome) => void;
  logger: TaskLogger;
  timers?: TaskTimers;
}

/**
 * Which checks are worth reporting: every issue and every failure, and the first quiet check
 * after a failure (so that a failure shown somewhere can be cleared); quiet checks otherwise not.
 */
export function shouldReport(outcome: "issued" | "current" | "failed", lastFailed: boolean): boolean {
  return outcome !== "current" || lastFailed;
}

/** Renews the router's own certificate in the background: a check at start, then every everyMs. */
export function routerCertificateRenewal(opts: RouterCertificateRenewalOptions): PeriodicTask {
  let lastFailed = false;
  let notAfter: Date | undefined;
  // A reissued file whose swap failed: the next check swaps it even though the file is current.
  let unserved = false;
  const report = (kind: "issued" | "current" | "failed", outcome: CertificateRenewalOutcome) => {
    const wanted = shouldReport(kind, lastFailed);
    lastFailed = kind === "failed";
    if (!wanted || !opts.onOutcome) return;
    try {
      opts.onOutcome(outcome);
    } catch (err) {
      opts.logger("router certificate: reporting the renewal outcome failed", { error: err instanceof Error ? err.message : String(err) });
    }
  };
  return new PeriodicTask({
    name: "router certificate renewal",
    everyMs: opts.everyMs ?? CERTIFICATE_CHECK_MS,
    firstRunMs: 0,
    logger: opts.logger,
    timers: opts.timers,
    run: async () => {
      try {
        const certs = await opts.ensure();
        notAfter = certs.notAfter;
        if (!certs.issued && !unserved) {
          report("current", { status: "ok", notAfter, message: "The router's certificate is current." });
          return;
        }
        unserved = true;
        await opts.swap(certs.tlsPem);
        unserved = false;
        opts.logger("router certificate renewed and served", { tlsPem: certs.tlsPem, notAfter: certs.notAfter.toISOString() });
        report("issued", { status: "ok", notAfter, message: `The router's certificate was renewed; it expires on ${certs.notAfter.toISOString()}.` });
      } catch (err) {
        const message = `Renewing the router's certificate failed: ${err instanceof Error ? err.message : String(err)}`;
        opts.logger("router certificate: renewal failed; retrying at the next check", {
          error: message,
          notAfter: notAfter?.toISOString(),
          nextCheckMs: opts.everyMs ?? CERTIFICATE_CHECK_MS,
        });
        report("failed", { status: "failed", notAfter, message });
      }
    },
  });
}
