/**
 * Egress addressing (pure). An instance's 127.<block>.x.y address is scope host: the kernel never
 * picks it as the source of a packet to the outside, and a NATed reply to a 127/8 address would be
 * a martian on the host's uplink. So every namespace (instance or build) also carries one address
 * from 100.64.0.0/10 (shared address space, never routed on the internet), used only as the source
 * of outbound traffic and masqueraded on the host: 100.64.0.0 + (block << 14) + slot. Block 0
 * (100.64.0.0/18) is never assigned; its 100.64.0.1 is the resolver every namespace asks, which
 * the firewall sends on to the host's own resolver.
 */
import { AppRunnerError } from "../errors/app-runner-error.js";

const EGRESS_BASE = (100 << 24) | (64 << 16);
/** The DNS server in every instance's and build's resolv.conf; DNATed to the host's resolver. */
export const RESOLVER_ADDRESS = "100.64.0.1";

/**
 * Where outbound traffic must never go unless the operator allows it: "this network", private
 * ranges (RFC 1918), shared address space (RFC 6598), loopback, link-local (cloud metadata at
 * 169.254.169.254), IETF protocol assignments, benchmarking, multicast and reserved.
 */
export const BLOCKED_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/3",
] as const;

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  bits: number;
}

export function ipv4ToNumber(address: string): number {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new AppRunnerError("HostSetupFailed", `"${address}" is not an IPv4 address`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

const maskOf = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);

/** "a.b.c.d/n" (or a bare address, /32); the base is normalised to the network address. */
export function parseCidr(text: string): Cidr {
  const [addr = "", len, extra] = text.trim().split("/");
  const bits = len === undefined ? 32 : Number(len);
  if (extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > 32 || (len !== undefined && !/^\d+$/.test(len))) {
    throw new AppRunnerError("HostSetupFailed", `"${text}" is not an IPv4 CIDR (a.b.c.d/n)`);
  }
  return { base: (ipv4ToNumber(addr) & maskOf(bits)) >>> 0, bits };
}

export function formatCidr(c: Cidr): string {
  return `${numberToIpv4(c.base)}/${c.bits}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.bits <= inner.bits && ((inner.base & maskOf(outer.bits)) >>> 0) === outer.base;
}

/** Drops ranges inside others and duplicates (nftables interval sets refuse overlaps); sorted. */
export function mergeCidrs(list: readonly string[]): string[] {
  const parsed = list.map(parseCidr).sort((a, b) => a.bits - b.bits || a.base - b.base);
  const kept: Cidr[] = [];
  for (const c of parsed) if (!kept.some((k) => cidrContains(k, c))) kept.push(c);
  return kept.sort((a, b) => a.base - b.base).map(formatCidr);
}

function checkBlock(block: number): void {
  if (!Number.isInteger(block) || block < 1 || block > 254) {
    throw new AppRunnerError("HostSetupFailed", `address block ${block} is outside 1..254`);
  }
}

/** The egress source address of slot `slot` (1..16383) in address block `block` (1..254). */
export function egressAddress(block: number, slot: number): string {
  checkBlock(block);
  return numberToIpv4((EGRESS_BASE + block * 16384 + slot) >>> 0);
}

/** Every egress address of a block (instances and builds): what the host masquerades. */
export function egressCidr(block: number): string {
  checkBlock(block);
  return `${numberToIpv4((EGRESS_BASE + block * 16384) >>> 0)}/18`;
}

/** The egress addresses of slots firstSlot..firstSlot+255 (the build slots): a /24. */
export function slotRangeCidr(block: number, firstSlot: number): string {
  checkBlock(block);
  if (firstSlot % 256 !== 0) throw new AppRunnerError("HostSetupFailed", `slot range must start at a multiple of 256, not ${firstSlot}`);
  return `${numberToIpv4((EGRESS_BASE + block * 16384 + firstSlot) >>> 0)}/24`;
}

export interface ResolverConfig {
  nameservers: string[];
  /** search/domain/options lines, kept as written. */
  other: string[];
}

export function parseResolvConf(text: string): ResolverConfig {
  const nameservers: string[] = [];
  const other: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const [key, value] = line.split(/\s+/);
    if (key === "nameserver" && value) nameservers.push(value);
    else if (key === "search" || key === "domain" || key === "options") other.push(line);
  }
  return { nameservers, other };
}

/** The first IPv4 nameserver, if any (instances have no IPv6 egress). */
export function firstIpv4Nameserver(config: ResolverConfig): string | undefined {
  return config.nameservers.find((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));
}

/** resolv.conf inside a namespace: the one reachable resolver, plus the host's search and options. */
export function namespaceResolvConf(host: ResolverConfig): string {
  return [`nameserver ${RESOLVER_ADDRESS}`, ...host.other, ""].join("\n");
}
