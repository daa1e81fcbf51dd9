/*
 * IP addresses and CIDR blocks for IpAddress/NotIpAddress (aws:SourceIp): IPv4 and IPv6, a bare
 * address meaning a /32 or /128. IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * so that one comparison serves both and a mapped client address matches an IPv4 block.
 */

export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIpv4(text: string, into: Uint8Array, at: number): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return false;
    into[at + i] = Number(p);
  }
  return true;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  for (const g of text.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

/** 16 bytes of an IPv6 or IPv4 (mapped) address; undefined when it is neither. */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(16);
  if (!text.includes(":")) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return parseIpv4(text, bytes, 12) ? bytes : undefined;
  }
  let rest = text;
  let room = 8; // 16-bit groups left for hex
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    if (!parseIpv4(text.slice(lastColon + 1), bytes, 12)) return undefined;
    // "::1.2.3.4" keeps its "::"; "64:ff9b::1:1.2.3.4" drops the separator before the IPv4 part.
    rest = text.slice(0, lastColon + 1).endsWith("::") ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
    room = 6;
  }
  const doubles = rest.split("::");
  if (doubles.length > 2) return undefined;
  const head = parseGroups(doubles[0] as string);
  const back = doubles.length === 2 ? parseGroups(doubles[1] as string) : [];
  if (!head || !back) return undefined;
  if (doubles.length === 1 ? head.length !== room : head.length + back.length > room - 1) return undefined;
  const groups = [...head, ...new Array<number>(room - head.length - back.length).fill(0), ...back];
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** `203.0.113.0/24`, `2001:db8::/32` or a bare address; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr.trim());
  if (!bytes) return undefined;
  const v4 = !addr.includes(":");
  const max = v4 ? 32 : 128;
  const bits = slash < 0 ? max : /^\d{1,3}$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { bytes, prefix: v4 ? bits + 96 : bits };
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  let bits = cidr.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[i] as number) & mask) !== ((ip[i] as number) & mask)) return false;
  }
  return true;
}
