/**
 * Which registry hosts a Dockerfile may name. buildah pulls FROM (and COPY --from) images on
 * this host's network, outside the build's network namespace, so a host the user writes into
 * a Dockerfile would otherwise let a build send requests to this machine's loopback services
 * (the control plane, the registry's insides) or to the private networks around it.
 */

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** Pure: the host part of `host[:port]` or `[v6]:port`, lowercased. */
function hostOnly(hostPort: string): string {
  const h = hostPort.toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.lastIndexOf(":");
  return colon > 0 && !h.slice(0, colon).includes(":") ? h.slice(0, colon) : h;
}

/**
 * Pure: whether `host[:port]` names this machine or a private or link-local network by its
 * address or the name `localhost`: loopback, 0/8, 10/8, 100.64/10, 169.254/16, 172.16/12,
 * 192.168/16, and IPv6 loopback, link-local and unique-local. Names that only resolve to such
 * addresses are not seen here (the registries the operator lists are the way to name those).
 */
export function isLocalRegistryHost(hostPort: string): boolean {
  const host = hostOnly(hostPort);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = ipv4(host);
  if (v4) {
    const [a = 0, b = 0] = v4;
    return a === 127 || a === 0 || a === 10 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (host.includes(":")) {
    return host === "::1" || host === "::" || /^fe[89ab]/.test(host) || /^f[cd]/.test(host) || host.startsWith("::ffff:");
  }
  return false; // a DNS name: not judged here
}
