import { certificateNames, CUSTOM_DOMAIN_STATUS, validationRecords, type CustomDomainDoc, type ValidationRecordDoc } from "../domain/custom-domains.js";
import { errorText, NO_AUTHORITY_MESSAGE, save, statusEvent, statusOf, type CustomDomainRow, type StepContext } from "./context.js";
import { nextCheckDelay, validationTimedOut } from "./schedule.js";
import { checkName, type NameFinding } from "./validation.js";

/**
 * A pending association: checks each certificate name's records with real DNS queries and moves
 * on to binding_certificate once every name can be proven. Returns when it wants looking at again.
 */
export async function validateStep(ctx: StepContext, row: CustomDomainRow, serviceUrl: string): Promise<number | undefined> {
  const { doc } = row;
  const from = statusOf(row);
  const now = ctx.clock.now();
  const since = doc.Progress?.since ?? row.createdAt;
  const names = certificateNames(doc.DomainName ?? row.name, doc.EnableWWWSubdomain === true);
  if (!ctx.parts.authority || !ctx.parts.checker) {
    const message = ctx.parts.authority ? "No DNS record checker is configured: records cannot be checked." : NO_AUTHORITY_MESSAGE;
    if (doc.StatusMessage !== message) save(ctx, row.arn, from, (d) => ({ ...d, StatusMessage: message }));
    return undefined;
  }
  const wanted = doc.Progress?.nextAttemptAt;
  if (wanted !== undefined && now < wanted) return wanted;
  if (validationTimedOut(ctx.timings, since, now)) {
    const pending = (doc.CertificateValidationRecords ?? []).filter((r) => r.Status !== "SUCCESS").map((r) => r.CheckResult ?? r.Name);
    const message = `The domain was not validated within ${Math.round(ctx.timings.validationTimeoutMs / 3_600_000)} hours: ${pending.join(" ")} Disassociate it and associate it again once the records are in place.`;
    save(
      ctx,
      row.arn,
      from,
      (d) => ({
        ...d,
        Status: CUSTOM_DOMAIN_STATUS.createFailed,
        StatusMessage: message,
        CertificateValidationRecords: (d.CertificateValidationRecords ?? []).map((r) => (r.Status === "SUCCESS" ? r : { ...r, Status: "FAILED" })),
        Progress: { since },
      }),
      statusEvent(row, from, CUSTOM_DOMAIN_STATUS.createFailed, `Custom domain ${row.name}: ${message}`, "ERROR"),
    );
    return undefined;
  }
  const setup = {
    checker: ctx.parts.checker,
    ...(ctx.parts.zone ? { zone: ctx.zone } : {}),
    dataPlane: { cnameTargets: serviceUrl ? [serviceUrl] : [], addresses: ctx.dataPlaneAddresses },
  };
  const findings = await Promise.all(
    names.map((name) =>
      checkName(setup, name).catch((err: unknown): NameFinding => ({ name, result: `Checking the records of ${name} failed: ${errorText(err)}` })),
    ),
  );
  const records = recordsWith(ctx, names, findings, now);
  const before = (doc.CertificateValidationRecords ?? []).map((r) => r.CheckResult ?? "");
  const findingChanged = records.some((r, i) => r.CheckResult !== before[i]);
  const ready = findings.every((f) => f.challenge !== undefined);
  if (ready) {
    const challenges = Object.fromEntries(findings.map((f) => [f.name, f.challenge ?? "dns-01"]));
    save(
      ctx,
      row.arn,
      from,
      (d): CustomDomainDoc => ({
        ...d,
        Status: CUSTOM_DOMAIN_STATUS.bindingCertificate,
        StatusMessage: `Getting the certificate from ${ctx.parts.authority?.directoryUrl ?? "the certificate authority"}.`,
        CertificateValidationRecords: records,
        Progress: { since, challenges, ...(d.Progress?.orderFailures ? { orderFailures: d.Progress.orderFailures } : {}) },
      }),
      statusEvent(
        row,
        from,
        CUSTOM_DOMAIN_STATUS.bindingCertificate,
        `Custom domain ${row.name}: its records are in place (${findings.map((f) => `${f.name} by ${f.challenge ?? ""}`).join(", ")}); getting its certificate.`,
        "INFO",
      ),
    );
    return now;
  }
  const checks = (doc.Progress?.failures ?? 0) + 1;
  const nextAttemptAt = now + nextCheckDelay(ctx.timings, checks);
  const waiting = findings.filter((f) => f.challenge === undefined).map((f) => f.result);
  const message = `Waiting for DNS records: ${waiting.join(" ")}`;
  save(
    ctx,
    row.arn,
    from,
    (d) => ({ ...d, StatusMessage: message, CertificateValidationRecords: records, Progress: { ...d.Progress, since, failures: checks, nextAttemptAt } }),
    findingChanged ? statusEvent(row, from, from, `Custom domain ${row.name}: ${message}`, "INFO") : undefined,
  );
  return nextAttemptAt;
}

/** The records to show (in the current format, whatever an older version stored), with what was found. */
function recordsWith(ctx: StepContext, names: readonly string[], findings: readonly NameFinding[], now: number): ValidationRecordDoc[] {
  return validationRecords(ctx.zone, names).map((r, i) => {
    const f = findings[i];
    return { ...r, Status: f?.challenge ? "SUCCESS" : "PENDING_VALIDATION", CheckResult: f?.result ?? "", CheckedAt: now };
  });
}
