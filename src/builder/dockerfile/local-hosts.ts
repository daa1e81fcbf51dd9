/**
 * Which registry hosts a Dockerfile may name. buildah pulls FROM (and COPY --from) images on
 * this host's network, outside the build's network namespace, so a host the user writes into
 * a Dockerfile would otherwise let a build send requests to this machine's loopback services
 * (the control plane, the registry's insides) or to the private networks around it.
 */
import { BLOCKED_RANGES, cidrContains, parseCidr } from "../../executor/egress.js";
import { hostOnly } from "../../images/registry-config.js";

const BLOCKED = BLOCKED_RANGES.map(parseCidr);

/**
 * Pure: whether `host[:port]` names this machine or a network instances may not reach either,
 * by its address or the name `localhost`: the egress firewall's blocked IPv4 ranges (loopback,
 * private, shared, link-local, ...), and IPv6 loopback, link-local, unique-local and mapped
 * addresses. Names that only resolve to such addresses are not seen here (the registries the
 * operator lists are the way to name those).
 */
export function isLocalRegistryHost(hostPort: string): boolean {
  const host = hostOnly(hostPort).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
    try {
      const address = parseCidr(host);
      return BLOCKED.some((range) => cidrContains(range, address));
    } catch {
      return true; // octets past 255: not an address anything should dial
    }
  }
  if (host.includes(":")) return host === "::1" || host === "::" || /^fe[89ab]/.test(host) || /^f[cd]/.test(host) || host.startsWith("::ffff:");
  return false; // a DNS name: not judged here
}
