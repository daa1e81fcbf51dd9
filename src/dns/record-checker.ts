import { promises as dns } from "node:dns";
import net from "node:net";
import { canonicalName } from "./names.js";
import type { DnsRecordChecker } from "./types.js";

export interface RecordCheckerSettings {
  /** "ip" or "ip:port" ("[v6]:port"); default the system's resolvers (/etc/resolv.conf). */
  resolvers?: string[];
  /** One try's wait for an answer (c-ares doubles it on each further try). */
  timeoutMs?: number;
  tries?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_TRIES = 2;

/** What a lookup found: records, none (the name or the type does not exist), or no answer at all. */
type Lookup = { kind: "found"; values: string[] } | { kind: "none"; nameExists: boolean } | { kind: "failed"; why: string };

/**
 * Checks users' records with real queries through node's resolver (c-ares: no cache of its own,
 * so every check sees what the resolvers see now).
 */
export function createRecordChecker(settings: RecordCheckerSettings = {}): DnsRecordChecker {
  const resolver = new dns.Resolver({ timeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS, tries: settings.tries ?? DEFAULT_TRIES });
  if (settings.resolvers && settings.resolvers.length > 0) resolver.setServers(settings.resolvers);
  const through = (): string => resolver.getServers().join(", ") || "the system's resolvers";

  const lookup = async (name: string, type: "CNAME" | "A" | "AAAA"): Promise<Lookup> => {
    try {
      const values =
        type === "CNAME" ? await resolver.resolveCname(name) : type === "A" ? await resolver.resolve4(name) : await resolver.resolve6(name);
      return values.length > 0 ? { kind: "found", values: values.map((v) => (type === "CNAME" ? canonicalName(v) : v)) } : { kind: "none", nameExists: true };
    } catch (err) {
      const code = err instanceof Error && "code" in err ? String(err.code) : "";
      if (code === "ENODATA") return { kind: "none", nameExists: true };
      if (code === "ENOTFOUND") return { kind: "none", nameExists: false };
      return { kind: "failed", why: `Looking up the ${type} record of ${name} through ${through()} failed: ${failureWords(code, err)}.` };
    }
  };

  return {
    async checkCname(name, target) {
      const owner = canonicalName(name);
      const expected = canonicalName(target);
      const create = `${owner} CNAME ${expected}`;
      const found = await lookup(owner, "CNAME");
      if (found.kind === "failed") return { ok: false, problem: "lookup-failed", message: found.why, found: [] };
      if (found.kind === "none") {
        // A CNAME cannot sit beside other records (RFC 1034 3.6.2). NOERROR without one does not
        // prove there are others (resolvers answer so for empty names and some servers for every
        // name), so this is a condition, not a finding.
        const besides = found.nameExists ? " (if the name has records of other types, remove them: a CNAME cannot sit beside them)" : "";
        return { ok: false, problem: "missing", message: `${owner} has no CNAME record${besides}. Create it: ${create}`, found: [] };
      }
      if (found.values.includes(expected)) return { ok: true, found: found.values };
      return {
        ok: false,
        problem: "wrong",
        message: `${owner} has a CNAME record to ${found.values.join(", ")}, not to ${expected}. Change it to: ${create}`,
        found: found.values,
      };
    },

    // Order: the CNAME first (one exact answer when it points at a target); else, or when it points
    // elsewhere, the A/AAAA answers, which the resolver gives at the end of any CNAME chain, so a
    // CNAME to the user's own name that resolves to the data plane passes too.
    async checkPointsAt(name, to) {
      const owner = canonicalName(name);
      const targets = to.cnameTargets.map(canonicalName);
      const allowed = new net.BlockList();
      for (const address of to.addresses) allowed.addAddress(address, net.isIPv6(address) ? "ipv6" : "ipv4");
      const create = pointAtWords(targets, to.addresses);

      const cname = await lookup(owner, "CNAME");
      if (cname.kind === "failed") return { ok: false, problem: "lookup-failed", message: cname.why, found: [] };
      const cnames = cname.kind === "found" ? cname.values : [];
      if (cnames.some((c) => targets.includes(c))) return { ok: true, found: cnames.map((c) => `CNAME ${c}`) };

      const [a, aaaa] = await Promise.all([lookup(owner, "A"), lookup(owner, "AAAA")]);
      for (const l of [a, aaaa]) if (l.kind === "failed") return { ok: false, problem: "lookup-failed", message: l.why, found: [] };
      const addresses = [a, aaaa].flatMap((l) => (l.kind === "found" ? l.values : []));
      const found = [...cnames.map((c) => `CNAME ${c}`), ...addresses];
      const via = cnames.length > 0 ? ` (through its CNAME to ${cnames.join(", ")})` : "";
      if (addresses.length === 0) {
        const what = cnames.length > 0 ? `has a CNAME to ${cnames.join(", ")}, which has no A or AAAA records` : "has no CNAME, A or AAAA record";
        return { ok: false, problem: cnames.length > 0 ? "wrong" : "missing", message: `${owner} ${what}. ${create}`, found };
      }
      const outside = addresses.filter((ip) => !allowed.check(ip, net.isIPv6(ip) ? "ipv6" : "ipv4"));
      if (outside.length === 0) return { ok: true, found };
      return {
        ok: false,
        problem: "wrong",
        message: `${owner} resolves${via} to ${outside.join(", ")}, which is not the data plane. ${create}`,
        found,
      };
    },
  } satisfies DnsRecordChecker;
}

function pointAtWords(targets: readonly string[], addresses: readonly string[]): string {
  const ways = [
    ...(targets.length > 0 ? [`a CNAME record to ${targets.join(" or ")}`] : []),
    ...(addresses.length > 0 ? [`A/AAAA records to ${addresses.join(", ")} only`] : []),
  ];
  return `Point it at the data plane with ${ways.join(", or ")}.`;
}

function failureWords(code: string, err: unknown): string {
  switch (code) {
    case "ETIMEOUT":
      return "no answer in time";
    case "ESERVFAIL":
      return "the resolver answered SERVFAIL";
    case "EREFUSED":
      return "the resolver refused the query";
    case "ECONNREFUSED":
      return "nothing answers at the resolver's address";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
