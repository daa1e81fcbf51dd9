import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/** An authoritative server unbound asks directly for one zone (OpenRunner's challenge zone). */
export interface StubZone {
  zone: string;
  address: string;
  port: number;
}

const absolute = (zone: string): string => (zone.endsWith(".") ? zone : `${zone}.`);

/**
 * unbound's configuration for the rig: the recursive resolver everybody uses (pebble's VA,
 * OpenRunner's record checker). Everything goes to challtestsrv (forward-zone "."), except the
 * stub zones, which it asks like an authoritative server; so a CNAME that challtestsrv answers
 * (a user's `_acme-challenge.x CNAME <label>.<zone>`) is followed into the stub zone as on the
 * internet. challtestsrv alone cannot: it answers a CNAME's target only from its own data.
 *
 * Checked by hand (unbound 1.17.1, no dig on the machine): challtestsrv held
 * `_acme-challenge.shop.example.test CNAME abc123.acme.test`, a small dgram responder answered
 * TXT for the stub zone acme.test, and node:dns's resolveTxt through unbound returned the stub's
 * value, the stub seeing the query for abc123.acme.test; with the stub in the config at start and
 * added later through `unbound-control stub_add` alike. The settings used:
 * - module-config "iterator": no DNSSEC validator (the test zones are unsigned, with no trust anchor);
 * - do-not-query-localhost no: both upstreams are on 127.0.0.1, which unbound skips by default;
 * - local-zone "test." / "localhost." nodefault: unbound answers RFC 6761 names itself otherwise
 *   (the tests' names live under test.);
 * - cache-max-ttl 0 and cache-max-negative-ttl 0 (and infra-host-ttl short, keep-probing): a TXT
 *   set or removed in between, or a zone server started after unbound, is seen on the next query.
 *   Not quite: unbound counts TTLs in whole seconds, so a TTL-0 answer still serves the rest of its
 *   second (seen: a cleared CNAME answered again right after /clear-cname). So every change made
 *   through the rig's WorldDns also flushes the cache (`unbound-control flush_zone .`), and tests
 *   changing records elsewhere (OpenRunner's zone) call the rig's flushResolver() when they must
 *   see the change at once;
 * - qname-minimisation no: the stub zone's server is asked the full name, as challtestsrv is;
 * - username "" / chroot "" / pidfile "" / do-daemonize no: runs as the test's user in its temp
 *   dir, in the foreground, killed by its PID.
 * The remote control listens on a unix socket in the temp dir (no certificates) so stub zones can
 * be added once OpenRunner's zone server has its port (`unbound-control stub_add`).
 */
export function writeUnboundConfig(dir: string, port: number, forwardTo: number, stubZones: StubZone[]): string {
  const lines = [
    "server:",
    "  interface: 127.0.0.1",
    `  port: ${port}`,
    "  do-ip4: yes",
    "  do-ip6: no",
    "  do-udp: yes",
    "  do-tcp: yes",
    "  do-daemonize: no",
    '  username: ""',
    '  chroot: ""',
    '  pidfile: ""',
    `  directory: "${dir}"`,
    "  use-syslog: no",
    `  logfile: ""`,
    "  verbosity: 1",
    "  num-threads: 1",
    "  so-reuseport: no",
    '  module-config: "iterator"',
    "  do-not-query-localhost: no",
    "  qname-minimisation: no",
    "  cache-min-ttl: 0",
    "  cache-max-ttl: 0",
    "  cache-max-negative-ttl: 0",
    "  infra-host-ttl: 1",
    "  infra-keep-probing: yes",
    "  prefetch: no",
    "  serve-expired: no",
    "  access-control: 127.0.0.0/8 allow",
    '  local-zone: "localhost." nodefault',
    '  local-zone: "test." nodefault',
    "remote-control:",
    "  control-enable: yes",
    `  control-interface: "${join(dir, "unbound-control.sock")}"`,
    "  control-use-cert: no",
    "forward-zone:",
    '  name: "."',
    `  forward-addr: 127.0.0.1@${forwardTo}`,
  ];
  for (const s of stubZones) lines.push("stub-zone:", `  name: "${absolute(s.zone)}"`, `  stub-addr: ${s.address}@${s.port}`);
  const file = join(dir, "unbound.conf");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Forgets every cached answer (its remote control, bounded). */
export async function unboundFlush(configFile: string): Promise<void> {
  await promisify(execFile)("unbound-control", ["-c", configFile, "flush_zone", "."], { timeout: 10_000 });
}

/** Adds a stub zone to the running unbound (its remote control, bounded). */
export async function unboundStubAdd(configFile: string, stub: StubZone): Promise<void> {
  await promisify(execFile)("unbound-control", ["-c", configFile, "stub_add", absolute(stub.zone), `${stub.address}@${stub.port}`], { timeout: 10_000 });
}
