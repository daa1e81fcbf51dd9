import type { ChallengeSolver, ChallengeType, IssuedCertificate } from "../acme/types.js";
import { certificateNames, CUSTOM_DOMAIN_STATUS, type CustomDomainDoc } from "../domain/custom-domains.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { isoSeconds } from "../util/clock.js";
import { CertificateFiles } from "./certificate-files.js";
import { challengeFor, errorText, NO_AUTHORITY_MESSAGE, save, settledProgress, statusEvent, type CustomDomainRow, type StepContext } from "./context.js";
import { inWords, renewAfter, retryDelay } from "./schedule.js";
import { dnsSolver, httpSolver, unavailableSolver } from "./solvers.js";

function solvers(ctx: StepContext): Record<ChallengeType, ChallengeSolver> {
  const { zone, dataPlane } = ctx.parts;
  return {
    "dns-01": zone ? dnsSolver(zone, ctx.zone) : unavailableSolver("dns-01", "OpenRunner runs no challenge zone (--acme-dns-zone)."),
    "http-01": dataPlane ? httpSolver(dataPlane) : unavailableSolver("http-01", "OpenRunner runs no data plane here."),
  };
}

/** Orders the association's certificate, keeps it on disk (0600) and serves it; throws the CA's or the data plane's error. */
async function obtain(ctx: StepContext, row: CustomDomainRow): Promise<IssuedCertificate> {
  const authority = ctx.parts.authority;
  if (!authority) throw new AppRunnerError("CertificateIssuanceFailed", NO_AUTHORITY_MESSAGE);
  const names = certificateNames(row.doc.DomainName ?? row.name, row.doc.EnableWWWSubdomain === true);
  const issued = await authority.issue({ names, challengeFor: (n) => challengeFor(ctx, row.doc, n), solvers: solvers(ctx), signal: ctx.signal });
  const pem = `${issued.certificatePem.trimEnd()}\n${issued.privateKeyPem.trimEnd()}\n`;
  ctx.files.write(row.name, pem);
  await ctx.parts.dataPlane?.putCertificate(CertificateFiles.dataPlaneId(row.name), pem);
  return issued;
}

function certificateOf(ctx: StepContext, issued: IssuedCertificate): NonNullable<CustomDomainDoc["Certificate"]> {
  const notBefore = issued.notBefore.getTime();
  const notAfter = issued.notAfter.getTime();
  return { Issuer: issued.issuer, NotBefore: notBefore, NotAfter: notAfter, RenewAfter: renewAfter(ctx.timings, notBefore, notAfter), RenewalStatus: "OK" };
}

/** binding_certificate: order the certificate; active on success, back to pending (retried with back-off) on failure. */
export async function bindStep(ctx: StepContext, row: CustomDomainRow): Promise<number | undefined> {
  const from = CUSTOM_DOMAIN_STATUS.bindingCertificate;
  const since = row.doc.Progress?.since ?? row.createdAt;
  try {
    const issued = await obtain(ctx, row);
    const certificate = certificateOf(ctx, issued);
    save(
      ctx,
      row.arn,
      from,
      (d) => {
        const { StatusMessage: _message, ...rest } = d;
        return {
          ...rest,
          Status: CUSTOM_DOMAIN_STATUS.active,
          Certificate: certificate,
          CertificateValidationRecords: (d.CertificateValidationRecords ?? []).map((r) => ({ ...r, Status: "SUCCESS" })),
          Progress: settledProgress(d, since),
        };
      },
      statusEvent(row, from, CUSTOM_DOMAIN_STATUS.active, `Custom domain ${row.name} is active: its certificate from ${issued.issuer} is valid until ${isoSeconds(certificate.NotAfter)}.`, "INFO"),
    );
    return certificate.RenewAfter;
  } catch (err) {
    const now = ctx.clock.now();
    const orderFailures = (row.doc.Progress?.orderFailures ?? 0) + 1;
    const delay = retryDelay(ctx.timings, orderFailures);
    const message = `Getting the certificate failed: ${errorText(err)} Retrying in ${inWords(delay)}.`;
    save(
      ctx,
      row.arn,
      from,
      (d) => ({
        ...d,
        Status: CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation,
        StatusMessage: message,
        // The DNS checks start over (from firstCheckMs) once the retry is due.
        Progress: { ...d.Progress, since, failures: 0, orderFailures, nextAttemptAt: now + delay },
      }),
      statusEvent(row, from, CUSTOM_DOMAIN_STATUS.pendingCertificateDnsValidation, `Custom domain ${row.name}: ${message}`, "ERROR"),
    );
    return now + delay;
  }
}

/** active: renews once RenewAfter has passed; a failure shows as RenewalStatus FAILING, with an event, and is retried with back-off. */
export async function renewStep(ctx: StepContext, row: CustomDomainRow): Promise<number | undefined> {
  const current = row.doc.Certificate;
  if (!current) return undefined;
  const now = ctx.clock.now();
  const due = Math.max(current.RenewAfter, row.doc.Progress?.nextAttemptAt ?? 0);
  if (now < due) return due;
  const from = CUSTOM_DOMAIN_STATUS.active;
  try {
    const issued = await obtain(ctx, row);
    const certificate = certificateOf(ctx, issued);
    save(
      ctx,
      row.arn,
      from,
      (d) => ({ ...d, Certificate: certificate, Progress: settledProgress(d, d.Progress?.since ?? row.createdAt) }),
      statusEvent(row, from, from, `The certificate of custom domain ${row.name} was renewed; it is valid until ${isoSeconds(certificate.NotAfter)}.`, "INFO"),
    );
    return certificate.RenewAfter;
  } catch (err) {
    const failures = (row.doc.Progress?.failures ?? 0) + 1;
    const delay = retryDelay(ctx.timings, failures);
    const message = `Renewing the certificate of ${row.name} failed: ${errorText(err)} Retrying in ${inWords(delay)}; it expires on ${isoSeconds(current.NotAfter)}.`;
    save(
      ctx,
      row.arn,
      from,
      (d) => ({
        ...d,
        ...(d.Certificate ? { Certificate: { ...d.Certificate, RenewalStatus: "FAILING" as const, RenewalMessage: message } } : {}),
        Progress: { ...d.Progress, since: d.Progress?.since ?? row.createdAt, failures, nextAttemptAt: now + delay },
      }),
      statusEvent(row, from, from, message, "ERROR"),
    );
    return now + delay;
  }
}
