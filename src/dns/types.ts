/**
 * DNS as custom domains need it: a zone OpenRunner answers for (in the manner of acme-dns,
 * users point `_acme-challenge.<their domain>` at a name in it with a CNAME, once, so that
 * renewals need nobody), and checks of the records users create, with real queries to a
 * configurable resolver.
 */

/** The zone's settings: `openrunner up --acme-dns-zone`, `--acme-dns-listen`. */
export interface ChallengeZoneSettings {
  /** The zone's name, e.g. `acme.example.net` (delegated to this host with an NS record). */
  zone: string;
  /** UDP and TCP address to answer on, "host:port"; port 0 picks one (tests). */
  listen: string;
  /** The name this host's nameserver goes by in the zone's NS and SOA records (default `ns.<zone>`). */
  nameserver?: string;
}

/**
 * The authoritative server of the challenge zone: TXT records under it (plus its SOA and NS),
 * nothing else. Which name in the zone a validation CNAME points at is App Runner-side policy
 * (`challengeTarget` in src/domain/custom-domains.ts); this server only serves what it is given.
 */
export interface ChallengeZone {
  readonly zone: string;
  /** Adds a TXT value at a name of the zone (several values may coexist: a domain and its wildcard). */
  addTxt(name: string, value: string): void;
  removeTxt(name: string, value: string): void;
  /** Where it answers, once started. */
  address(): { host: string; port: number } | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type RecordProblem = "missing" | "wrong" | "lookup-failed";

/** One record checked: ok, or what is wrong with it in words a user acts on. */
export type RecordCheck =
  | { ok: true; found: string[] }
  | { ok: false; problem: RecordProblem; message: string; found: string[] };

/** Real DNS queries through the configured resolvers (`--dns-resolver`, default the system's). */
export interface DnsRecordChecker {
  /** `name` has a CNAME record whose target is `target` (case and a trailing dot ignored). */
  checkCname(name: string, target: string): Promise<RecordCheck>;
  /**
   * `name` reaches the data plane: a CNAME to one of `cnameTargets`, or A/AAAA records all
   * within `addresses`.
   */
  checkPointsAt(name: string, to: { cnameTargets: readonly string[]; addresses: readonly string[] }): Promise<RecordCheck>;
}
