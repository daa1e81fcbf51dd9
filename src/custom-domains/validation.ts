import type { DnsRecordChecker, RecordCheck } from "../dns/types.js";
import { challengeTarget, validationNameOf } from "../domain/custom-domains.js";

/** How one certificate name can be proven, or in words why it cannot yet. */
export interface NameFinding {
  name: string;
  challenge?: "dns-01" | "http-01";
  /** What the last real DNS query found: the validation record's CheckResult. */
  result: string;
}

export interface ValidationSetup {
  checker: DnsRecordChecker;
  /** The challenge zone, when its server runs: DNS-01 needs it. */
  zone?: string;
  /** The ServiceUrl host and the addresses a name may point at for HTTP-01. */
  dataPlane: { cnameTargets: readonly string[]; addresses: readonly string[] };
}

const problemText = (check: RecordCheck): string => (check.ok ? "" : check.message);

/**
 * Checks one certificate name the way App Runner users work: the validation CNAME into the
 * challenge zone (DNS-01, which renews without anybody), else — not for a wildcard — the name
 * itself pointing at the data plane (HTTP-01). The result names the record to create.
 */
export async function checkName(setup: ValidationSetup, name: string): Promise<NameFinding> {
  const vname = validationNameOf(name);
  const wildcard = name.startsWith("*.");
  let cnameProblem = "";
  let target = "";
  if (setup.zone !== undefined) {
    target = challengeTarget(setup.zone, vname);
    const cname = await setup.checker.checkCname(vname, target);
    if (cname.ok) return { name, challenge: "dns-01", result: `${vname} is a CNAME to ${target}: validated by DNS-01.` };
    cnameProblem = problemText(cname);
  }
  if (!wildcard) {
    const points = await setup.checker.checkPointsAt(name, setup.dataPlane);
    if (points.ok) return { name, challenge: "http-01", result: `${name} points at the data plane (${points.found.join(", ")}): validated by HTTP-01.` };
  }
  return { name, result: advice(setup, name, vname, target, cnameProblem) };
}

function advice(setup: ValidationSetup, name: string, vname: string, target: string, cnameProblem: string): string {
  const wildcard = name.startsWith("*.");
  const http = `point ${name} at the data plane (CNAME ${setup.dataPlane.cnameTargets.join(" or ")}${
    setup.dataPlane.addresses.length > 0 ? `, or A/AAAA ${setup.dataPlane.addresses.join(", ")}` : ""
  }) for HTTP validation`;
  if (setup.zone === undefined) {
    return wildcard
      ? `${name} needs DNS-01 validation, and OpenRunner runs no challenge zone: start it with --acme-dns-zone.`
      : `${name} does not point at the data plane: ${http}. (DNS-01 is off: OpenRunner runs no challenge zone, see --acme-dns-zone.)`;
  }
  const record = `${vname} CNAME ${target}`;
  const alternative = wildcard ? "" : ` (or ${http})`;
  // The checker's words may already name the record to create: said once, not twice.
  if (cnameProblem.includes(record)) return `${cnameProblem}${alternative}.`;
  const found = cnameProblem ? `${cnameProblem}; ` : `${vname} has no CNAME record; `;
  return `${found}create ${record}${alternative}.`;
}
