import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/**
 * The "world's" DNS of the ACME tests: pebble-challtestsrv's mock DNS, driven through its
 * management API (what users would create at their DNS provider). Names are absolute with or
 * without the final dot; challtestsrv answers every A query it has no record for with its
 * default IPv4 (127.0.0.1 in the rig) and AAAA queries with nothing.
 */
export interface WorldDns {
  /** Adds a TXT value at `host` (several values may coexist; clearTxt removes them all). */
  setTxt(host: string, value: string): Promise<void>;
  clearTxt(host: string): Promise<void>;
  /** `host` CNAME `target` (one per host). */
  setCname(host: string, target: string): Promise<void>;
  clearCname(host: string): Promise<void>;
  addA(host: string, addresses: string[]): Promise<void>;
  clearA(host: string): Promise<void>;
  /** The A answer for names without their own A record; "" answers them with no address at all. */
  setDefaultIpv4(address: string): Promise<void>;
  /** Undoes every record set through this client (not the default IPv4). */
  clear(): Promise<void>;
}

const fqdn = (name: string): string => (name.endsWith(".") ? name : `${name}.`);

/** `changed` runs after every change (the rig flushes its resolver's cache: see flushResolver). */
export function worldDns(managementUrl: string, changed: () => Promise<void> = async () => undefined): WorldDns {
  // What this client set, per clear- endpoint, so clear() undoes exactly that.
  const set = new Map<string, Set<string>>([["/clear-txt", new Set()], ["/clear-cname", new Set()], ["/clear-a", new Set()]]);
  async function call(path: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${managementUrl}${path}`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`challtestsrv ${path} ${JSON.stringify(body)}: HTTP ${res.status} ${await res.text()}`);
    await changed();
  }
  const add = (path: string, clearPath: string) => (host: string, fields: Record<string, unknown>) => {
    set.get(clearPath)?.add(fqdn(host));
    return call(path, { host: fqdn(host), ...fields });
  };
  const clear = (clearPath: string) => (host: string) => {
    set.get(clearPath)?.delete(fqdn(host));
    return call(clearPath, { host: fqdn(host) });
  };
  const [txt, cname, a] = [add("/set-txt", "/clear-txt"), add("/set-cname", "/clear-cname"), add("/add-a", "/clear-a")];
  return {
    setTxt: (host, value) => txt(host, { value }),
    clearTxt: clear("/clear-txt"),
    setCname: (host, target) => cname(host, { target: fqdn(target) }),
    clearCname: clear("/clear-cname"),
    addA: (host, addresses) => a(host, { addresses }),
    clearA: clear("/clear-a"),
    setDefaultIpv4: (address) => call("/set-default-ipv4", { ip: address }),
    async clear() {
      for (const [clearPath, hosts] of set) for (const host of [...hosts]) await clear(clearPath)(host);
    },
  };
}

/** A port of 127.0.0.1 free for both TCP and UDP at the time of asking (DNS servers bind both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no port of 127.0.0.1 free for both TCP and UDP after 20 attempts");
}
