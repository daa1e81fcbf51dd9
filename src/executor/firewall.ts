/**
 * One nftables table per HostLayout (`inet <prefix>`), replaced atomically with `nft -f -`.
 * Instances and builds are recognised by their host veth names (`<prefix>h<slot>`), and get
 * outbound internet and nothing else:
 *
 * - the host itself (any of its addresses, its loopback services through the veth's host end):
 *   only replies to the host's own connections (the router, health checks) pass;
 * - another instance or build: never (veth to veth), nor anything forwarded into a namespace
 *   that it did not ask for (its egress address is routed on the host);
 * - private, shared, link-local (cloud metadata), reserved and multicast ranges and the host's
 *   own networks: refused unless the operator allowed the range (`--egress-allow`);
 * - IPv6: refused (namespaces have IPv4 egress only);
 * - DNS: every namespace asks RESOLVER_ADDRESS, which is DNATed to the host's resolver (also a
 *   loopback one such as 127.0.0.53, or one in a private range);
 * - the gateway service (with one): an instance (not a build) that connects to its gateway, the
 *   host end of its veth, on the gateway port is DNATed to the one host service it may reach, the
 *   control plane's endpoint (the AWS APIs and the instance-role credentials); every other port and
 *   address of the host stays refused;
 * - the rest leaves masqueraded behind the host's outbound address. With egress off, only builds
 *   (the last 256 slots) get out.
 *
 * Refusals answer at once (a TCP reset, or ICMP administratively prohibited) instead of
 * dropping, so a connection fails fast inside the namespace, and count in named counters
 * (`host`, `peers`, `blocked`, `egress_off`, `inbound`).
 */
import { readFile, writeFile } from "node:fs/promises";
import {
  BLOCKED_RANGES,
  RESOLVER_ADDRESS,
  egressCidr,
  firstIpv4Nameserver,
  mergeCidrs,
  parseCidr,
  formatCidr,
  parseResolvConf,
  slotRangeCidr,
} from "./egress.js";
import { execHost, isGoneError } from "./exec.js";
import { FIRST_BUILD_SLOT, instanceSideRange } from "./network.js";
import type { HostLayout } from "./types.js";

/** What the rules depend on besides the layout: read from the host at each start. */
export interface HostNetworkFacts {
  /** IPv4 resolver the namespaces' DNS is sent to; absent: they have no DNS. */
  resolver?: string;
  /** IPv4 networks of the host's interfaces (its LAN): refused like private ranges. */
  hostNetworks: readonly string[];
}

/**
 * The one host service instances reach: connections to any instance's gateway (its veth's host
 * end, 127.<block>.x.1) on `port` go to `address:targetPort` on the host. An IPv4 address of the
 * host (127.0.0.1 for a service on loopback: the veths carry route_localnet).
 */
export interface GatewayService {
  port: number;
  address: string;
  targetPort: number;
}

/** The port instances connect to on their gateway: plain http's, so URLs need none. */
export const GATEWAY_PORT = 80;

/**
 * Pure: the gateway service for a host service listening on `host:port`; undefined when it is not
 * on an IPv4 address of this host (instances have IPv4 only).
 */
export function gatewayServiceTo(host: string, port: number): GatewayService | undefined {
  if (host === "" || host === "0.0.0.0" || host === "::" || host === "localhost") return { port: GATEWAY_PORT, address: "127.0.0.1", targetPort: port };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return { port: GATEWAY_PORT, address: host, targetPort: port };
  return undefined;
}

export const FIREWALL_COUNTERS = ["host", "peers", "blocked", "egress_off", "inbound"] as const;
export type FirewallCounter = (typeof FIREWALL_COUNTERS)[number];

/**
 * Refuses what `match` selects, counted in `counter`: TCP with a reset (connect() fails at once
 * with ECONNREFUSED; the host rate-limits ICMP errors to ~1/s per destination, which would make a
 * second attempt wait for a SYN retransmit), everything else with ICMP administratively prohibited.
 */
function refuse(match: string, counter: FirewallCounter): string[] {
  return [
    `${match} meta l4proto tcp counter name "${counter}" reject with tcp reset`,
    `${match} counter name "${counter}" reject with icmpx admin-prohibited`,
  ];
}

/** The rule set (pure; exported for tests). */
export function firewallRuleset(layout: HostLayout, facts: HostNetworkFacts, gateway?: GatewayService): string {
  const t = layout.prefix;
  const ifs = `"${layout.prefix}h*"`;
  const all = egressCidr(layout.addressBlock);
  // Who may open connections outwards: every namespace, or with egress off the builds only.
  const sources = layout.egress ? all : slotRangeCidr(layout.addressBlock, FIRST_BUILD_SLOT);
  const blocked = mergeCidrs([...BLOCKED_RANGES, ...facts.hostNetworks]);
  const allowed = mergeCidrs(layout.egressAllow ?? []);
  const dns = "meta l4proto { tcp, udp } th dport 53";
  const r = facts.resolver;
  // Instances only (their 127/8 side), never builds: a build has no business with the control plane.
  const instances = instanceSideRange(layout.addressBlock);
  const g = gateway;
  const lines = [
    // "table; delete table; table {...}" in one transaction: create-if-missing, then replace, atomically.
    `table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    ...FIREWALL_COUNTERS.map((c) => `  counter ${c} {\n  }`),
    `  set blocked4 {\n    type ipv4_addr; flags interval;\n    elements = { ${blocked.join(", ")} }\n  }`,
    ...(allowed.length > 0 ? [`  set allowed4 {\n    type ipv4_addr; flags interval;\n    elements = { ${allowed.join(", ")} }\n  }`] : []),
    "  chain dns {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    ...(r ? [`    iifname ${ifs} ip saddr ${sources} ip daddr ${RESOLVER_ADDRESS} ${dns} dnat ip to ${r}`] : []),
    "  }",
    ...(g
      ? [
          "  chain gateway {",
          "    type nat hook prerouting priority dstnat; policy accept;",
          `    iifname ${ifs} ip saddr ${instances} ip daddr 127.${layout.addressBlock}.0.0/16 tcp dport ${g.port} dnat ip to ${g.address}:${g.targetPort}`,
          "  }",
        ]
      : []),
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    `    iifname ${ifs} ct state established,related accept`,
    // DNS DNATed to a resolver on the host itself (127.0.0.53, a dnsmasq on the LAN address).
    ...(r ? [`    iifname ${ifs} ip saddr ${sources} ct status dnat ${dns} accept`] : []),
    // The gateway service, reached only through the DNAT above (the service's own port stays refused).
    ...(g ? [`    iifname ${ifs} ip saddr ${instances} ct status dnat ip daddr ${g.address} tcp dport ${g.targetPort} accept`] : []),
    ...refuse(`    iifname ${ifs}`, "host"),
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    ...refuse(`    iifname ${ifs} oifname ${ifs}`, "peers"),
    `    iifname ${ifs} ct state established,related accept`,
    // Egress addresses are routed on the host: nobody else may open connections to them.
    `    oifname ${ifs} ct state established,related accept`,
    `    oifname ${ifs} counter name "inbound" drop`,
    ...refuse(`    iifname ${ifs} meta nfproto ipv6`, "blocked"),
    ...refuse(`    iifname ${ifs} ip saddr != ${sources}`, "egress_off"),
    // The resolver may sit in a private range (a cloud's VPC resolver): DNS to it passes.
    ...(r ? [`    iifname ${ifs} ct status dnat ip daddr ${r} ${dns} accept`] : []),
    ...(allowed.length > 0 ? [`    iifname ${ifs} ip daddr @allowed4 accept`] : []),
    ...refuse(`    iifname ${ifs} ip daddr @blocked4`, "blocked"),
    `    iifname ${ifs} accept`,
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${all} oifname != ${ifs} masquerade`,
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

/** The resolver and the host's networks, as they are now. */
export async function readHostNetworkFacts(): Promise<HostNetworkFacts> {
  return { resolver: await hostResolver(), hostNetworks: await hostNetworks() };
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    // No such file: no resolver configured there.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}

/**
 * The host's first IPv4 nameserver. systemd-resolved's stub (127.0.0.53) is replaced by its
 * upstream when it publishes one: the stub may not answer sources outside the host.
 */
async function hostResolver(): Promise<string | undefined> {
  const first = firstIpv4Nameserver(parseResolvConf(await readOptional("/etc/resolv.conf")));
  if (first?.startsWith("127.")) {
    const upstream = firstIpv4Nameserver(parseResolvConf(await readOptional("/run/systemd/resolve/resolv.conf")));
    if (upstream && !upstream.startsWith("127.")) return upstream;
  }
  return first;
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** Networks of the host's IPv4 addresses (loopback and /32s have none worth blocking). */
async function hostNetworks(): Promise<string[]> {
  const { stdout } = await execHost("ip", ["-j", "-4", "addr", "show"]);
  const out: string[] = [];
  for (const link of JSON.parse(stdout || "[]") as IpAddrJson[]) {
    for (const a of link.addr_info ?? []) {
      if (a.family !== "inet" || !a.local || a.prefixlen === undefined || a.prefixlen >= 32) continue;
      if (a.local.startsWith("127.")) continue;
      out.push(formatCidr(parseCidr(`${a.local}/${a.prefixlen}`)));
    }
  }
  return out;
}

/** Loads (or replaces) the table and turns on IPv4 forwarding (builds need it even with egress off). */
export async function ensureFirewall(layout: HostLayout, facts?: HostNetworkFacts, gateway?: GatewayService): Promise<void> {
  await execHost("nft", ["-f", "-"], { input: firewallRuleset(layout, facts ?? (await readHostNetworkFacts()), gateway) });
  // Forwarding is host-wide and left on at teardown: other software may rely on it too.
  await writeFile("/proc/sys/net/ipv4/ip_forward", "1");
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

/** Packets each named counter has refused so far (tests and diagnostics). */
export async function firewallCounters(layout: HostLayout): Promise<Record<FirewallCounter, number>> {
  const { stdout } = await execHost("nft", ["-j", "list", "counters", "table", "inet", layout.prefix]);
  const out = Object.fromEntries(FIREWALL_COUNTERS.map((c) => [c, 0])) as Record<FirewallCounter, number>;
  const parsed = JSON.parse(stdout) as { nftables?: { counter?: { name: string; packets: number } }[] };
  for (const item of parsed.nftables ?? []) {
    const c = item.counter;
    if (c && (FIREWALL_COUNTERS as readonly string[]).includes(c.name)) out[c.name as FirewallCounter] = c.packets;
  }
  return out;
}
