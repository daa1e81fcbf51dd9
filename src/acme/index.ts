import acme from "acme-client";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Clock } from "../util/clock.js";
import { bounded, detail, issuanceFailed } from "./bounded.js";
import { readAccountUrl, readOrCreateAccountKey, writeAccountRecord } from "./account.js";
import { order } from "./order.js";
import { trustDirectory } from "./transport.js";
import type { AcmeSettings, CertificateAuthority, CertificateRequest, IssuedCertificate } from "./types.js";

export type AcmeLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface CertificateAuthorityDeps {
  clock: Clock;
  logger: AcmeLogger;
  /** The bound of one whole order (registration, validations, finalization); 5 minutes by default. */
  orderTimeoutMs?: number;
}

const ORDER_TIMEOUT_MS = 5 * 60_000;
/** Polls of a pending challenge or order: 0.5 s doubling to 10 s, 10 attempts (about a minute) - never unbounded. */
const BACKOFF = { backoffAttempts: 10, backoffMin: 500, backoffMax: 10_000 };

/**
 * The ACME CA of issue 19 on acme-client: one account per directory, registered on first use
 * (with EAB when the CA needs one) and kept in `accountDir`, so restarts and renewals reuse it.
 */
export function createCertificateAuthority(settings: AcmeSettings, deps: CertificateAuthorityDeps): CertificateAuthority {
  trustDirectory(settings.directoryUrl, settings.caCertificatesFile);
  let client: Promise<InstanceType<typeof acme.Client>> | undefined;

  async function register(signal: AbortSignal): Promise<InstanceType<typeof acme.Client>> {
    const accountKey = readOrCreateAccountKey(settings.accountDir);
    const accountUrl = readAccountUrl(settings.accountDir, settings.directoryUrl);
    const c = new acme.Client({
      directoryUrl: settings.directoryUrl,
      accountKey,
      ...(accountUrl !== undefined ? { accountUrl } : {}),
      ...(settings.externalAccountBinding !== undefined ? { externalAccountBinding: settings.externalAccountBinding } : {}),
      ...BACKOFF,
    });
    if (accountUrl !== undefined) return c;
    const contact = settings.email !== undefined ? { contact: [`mailto:${settings.email}`] } : {};
    const what = `Registering an ACME account with ${settings.directoryUrl}`;
    await bounded(signal, what, c.createAccount({ termsOfServiceAgreed: true, ...contact })).catch((err: unknown) => {
      throw err instanceof AppRunnerError ? err : issuanceFailed(`${what} failed: ${detail(err)}`, err);
    });
    writeAccountRecord(settings.accountDir, { directoryUrl: settings.directoryUrl, accountUrl: c.getAccountUrl() });
    deps.logger("acme account registered", { directoryUrl: settings.directoryUrl, accountUrl: c.getAccountUrl() });
    return c;
  }

  async function account(signal: AbortSignal): Promise<InstanceType<typeof acme.Client>> {
    // One registration for concurrent orders; a failed one is tried again by the next order.
    client ??= register(signal).catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  }

  return {
    directoryUrl: settings.directoryUrl,
    async issue(request: CertificateRequest): Promise<IssuedCertificate> {
      const timeout = AbortSignal.timeout(deps.orderTimeoutMs ?? ORDER_TIMEOUT_MS);
      const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
      const started = deps.clock.now();
      const issued = await order(await account(signal), request, signal, deps.logger);
      deps.logger("acme certificate issued", { names: issued.names, notAfter: issued.notAfter.toISOString(), ms: deps.clock.now() - started });
      return issued;
    },
  };
}
