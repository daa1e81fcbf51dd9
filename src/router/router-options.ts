import type { CertificateRenewalOutcome } from "./certificate-renewal.js";
import type { CanaryMeasurements } from "./canary-measure.js";
import type { Logger } from "./haproxy-process.js";

/** A dead data plane brought back: what the control plane tells the services' owners. */
export interface DataPlaneRestart {
  reason: string;
  previousMasterPid: number | undefined;
  masterPid: number | undefined;
  /** From noticing the dead master to the new worker answering. */
  ms: number;
  services: { serviceId: string; serviceName: string }[];
}

export interface HaproxyRouterOptions {
  routerDir: string;
  httpPort: number;
  /** 0 = no HTTPS. */
  httpsPort: number;
  region: string;
  baseDomain: string;
  requestTimeoutMs?: number;
  queueTimeoutMs?: number;
  /** Where the request-log ring forwards (TCP), e.g. "127.0.0.1:5140". */
  logTarget?: string;
  logger: Logger;
  /** The haproxy executable; "haproxy" on PATH by default. */
  haproxyBinary?: string;
  /** Called after the data plane was restarted because HAProxy had exited. */
  onRestart?: (restart: DataPlaneRestart) => void;
  /** How often the router's own certificate is checked for renewal (12 h; once at start too). */
  certificateCheckMs?: number;
  /** Its certificate is reissued with less than this left (30 days). */
  renewBeforeMs?: number;
  /** Each renewal of the router's own certificate (and each failure), for the server to make visible. */
  onCertificateRenewal?: (outcome: CertificateRenewalOutcome) => void;
  /** The new versions' responses during gradual rollouts (fed by the request log): measureCanary reads them. */
  canaries?: CanaryMeasurements;
  /** Wall-clock ms for the router's decisions (certificate renewal, restart back-off); Date.now by default. */
  now?: () => number;
}
