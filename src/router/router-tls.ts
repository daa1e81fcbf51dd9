import { readFileSync } from "node:fs";
import type { PeriodicTask } from "../util/periodic-task.js";
import { routerCertificateRenewal, type CertificateRenewalOutcome } from "./certificate-renewal.js";
import { CertificateStore, type CertificateStoreDeps } from "./certificate-store.js";
import { ensureCertificates, RENEW_BEFORE_MS } from "./certificates.js";
import { checkPem } from "./custom-domains.js";

export interface RouterTlsOptions extends Omit<CertificateStoreDeps, "tlsPem"> {
  routerDir: string;
  region: string;
  baseDomain: string;
  certificateCheckMs?: number;
  renewBeforeMs?: number;
  onCertificateRenewal?: (outcome: CertificateRenewalOutcome) => void;
  /** Wall-clock ms: whether the certificate is within renewBeforeMs of expiry is decided on it. */
  now?: () => number;
  /** Runs a data plane change in the router's serial slot (with its restart recovery). */
  mutate: (fn: () => Promise<void>) => Promise<void>;
}

/** The HTTPS side of a router: its own certificate (kept renewed and swapped live) and the custom ones. */
export interface RouterTls {
  caCert: string;
  tlsPem: string;
  certificates: CertificateStore;
  renewal: PeriodicTask;
}

export async function startRouterTls(o: RouterTlsOptions): Promise<RouterTls> {
  const now = o.now ?? Date.now;
  const ensure = () => ensureCertificates(o.routerDir, o.region, o.baseDomain, now(), o.renewBeforeMs ?? RENEW_BEFORE_MS);
  const certs = await ensure();
  const certificates = new CertificateStore({ ...o, tlsPem: certs.tlsPem });
  const renewal = routerCertificateRenewal({
    everyMs: o.certificateCheckMs,
    ensure,
    // A reissued tls.pem served live: connections under way keep the old one.
    swap: async (tlsPem) => {
      const cert = checkPem(readFileSync(tlsPem, "utf8"));
      await o.mutate(() => certificates.swap(tlsPem, cert.pem));
    },
    onOutcome: o.onCertificateRenewal,
    logger: o.logger,
  });
  return { caCert: certs.caCert, tlsPem: certs.tlsPem, certificates, renewal };
}
