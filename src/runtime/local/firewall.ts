/**
 * One nftables table per HostLayout (`inet <prefix>`), replaced atomically with `nft -f -`:
 * instances may answer connections (the router, health checks) but cannot open connections to
 * the host's own services or to each other; outbound to the outside world goes through NAT when
 * egress is on. Instances are recognised by their host veth names (`<prefix>h<slot>`).
 */
import { writeFile } from "node:fs/promises";
import { execHost, isGoneError } from "./exec.js";
import type { HostLayout } from "./types.js";

/** The rule set (pure; exported for tests). */
export function firewallRuleset(layout: HostLayout): string {
  const t = layout.prefix;
  const ifs = `"${layout.prefix}h*"`;
  const forwardEgress = layout.egress
    ? `    iifname ${ifs} accept`
    : [
        "    # Egress off: only replies to connections made from the host side.",
        `    iifname ${ifs} ct state established,related accept`,
        `    iifname ${ifs} drop`,
      ].join("\n");
  const nat = layout.egress
    ? [
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        `    ip saddr 127.${layout.addressBlock}.0.0/16 oifname != ${ifs} masquerade`,
        "  }",
      ].join("\n")
    : "";
  // "table; delete table; table {...}" in one transaction: create-if-missing, then replace, atomically.
  return [
    `table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    "    # Replies to the host's connections into instances pass; anything new from an instance is dropped.",
    `    iifname ${ifs} ct state established,related accept`,
    `    iifname ${ifs} drop`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    "    # Never between instances.",
    `    iifname ${ifs} oifname ${ifs} drop`,
    forwardEgress,
    "  }",
    nat,
    "}",
    "",
  ].join("\n");
}

/** Loads (or replaces) the table; turns on IPv4 forwarding only when egress is on. */
export async function ensureFirewall(layout: HostLayout): Promise<void> {
  await execHost("nft", ["-f", "-"], { input: firewallRuleset(layout) });
  // Forwarding is host-wide and left on at teardown: other software may rely on it too.
  if (layout.egress) await writeFile("/proc/sys/net/ipv4/ip_forward", "1");
}

export async function removeFirewall(layout: HostLayout): Promise<void> {
  try {
    await execHost("nft", ["delete", "table", "inet", layout.prefix]);
  } catch (err) {
    // Already gone: teardown is idempotent.
    if (isGoneError(err, /No such file or directory/)) return;
    throw err;
  }
}
