import { BlockList, isIPv4, isIPv6 } from "node:net";
import { invalidPattern } from "./errors.js";

type Path = readonly (string | number)[];

/** `{"cidr": "10.0.0.0/24"}` (IPv4 or IPv6): string values that are addresses inside the range. */
export function cidrMatcher(spec: unknown, path: Path): (v: string) => boolean {
  if (typeof spec !== "string") throw invalidPattern("cidr match pattern must be a string", path);
  const parts = spec.split("/");
  if (parts.length !== 2) throw invalidPattern("Malformed CIDR, one '/' required", path);
  const [ip = "", bitsText = ""] = parts;
  if (!/^\d+$/.test(bitsText)) throw invalidPattern("Malformed CIDR, mask bits must be an integer", path);
  const family = isIPv4(ip) ? "ipv4" : isIPv6(ip) ? "ipv6" : undefined;
  if (!family) throw invalidPattern(`Nonstandard IP address: ${ip}`, path);
  const bits = Number(bitsText);
  const maxBits = family === "ipv4" ? 32 : 128;
  if (bits > maxBits) throw invalidPattern(`Malformed CIDR, mask bits must be between 0 and ${maxBits}`, path);
  const range = new BlockList();
  range.addSubnet(ip, bits, family);
  return (value) => {
    if (family === "ipv4" ? !isIPv4(value) : !isIPv6(value)) return false;
    return range.check(value, family);
  };
}
