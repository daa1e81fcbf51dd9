/**
 * Per-instance (and per-build) networking: a network namespace joined to the host by a veth pair
 * carrying a /30 from 127.<block>.0.0/16, which the router and health checks use. Loopback-range
 * addresses never leave the machine and need no routing outside it; `route_localnet=1` on both
 * veth ends lets the kernel accept them on a non-loopback interface. Outbound traffic leaves from
 * the namespace's egress address instead (egress.ts): the default route names it as source, and
 * the host routes it back to the veth, so NATed replies never carry a 127/8 destination.
 */
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { egressAddress } from "./egress.js";
import { execHost } from "./exec.js";
import type { HostLayout, InstanceNetwork } from "./types.js";

/** Slots 1..MAX_SLOT are instances'; the last 256 (a /24 of egress addresses) are builds'. */
export const MAX_SLOT = 16127;
export const FIRST_BUILD_SLOT = 16128;
export const LAST_SLOT = 16383;
const NETNS_DIR = "/var/run/netns";
const SYS_NET = "/sys/class/net";

/**
 * The namespace-side 127/8 addresses of every instance slot (not the builds'), as an nftables
 * range: slot s owns 127.<block>.0.0 + 4s, so the build slots are the block's last /22.
 */
export function instanceSideRange(block: number): string {
  const lastInstanceOctet = ((FIRST_BUILD_SLOT * 4) >> 8) - 1;
  return `127.${block}.0.0-127.${block}.${lastInstanceOctet}.255`;
}

/** The network of one slot (pure): slot s owns 127.<block>.0.0 + 4s .. +3; .1 host, .2 instance. */
export function networkForSlot(layout: HostLayout, slot: number): InstanceNetwork {
  if (!Number.isInteger(slot) || slot < 1 || slot > LAST_SLOT) {
    throw new AppRunnerError("HostSetupFailed", `network slot ${slot} is outside 1..${LAST_SLOT}`);
  }
  if (!/^[a-z0-9]{2,6}$/.test(layout.prefix)) {
    throw new AppRunnerError("HostSetupFailed", `host prefix "${layout.prefix}" must be 2-6 lowercase alphanumerics`);
  }
  const base = slot * 4;
  const net = `127.${layout.addressBlock}.${base >> 8}`;
  const low = base & 255;
  return {
    slot,
    netns: `${layout.prefix}-n${slot}`,
    hostInterface: `${layout.prefix}h${slot}`,
    hostAddress: `${net}.${low + 1}`,
    instanceAddress: `${net}.${low + 2}`,
    egressAddress: egressAddress(layout.addressBlock, slot),
  };
}

/**
 * Creates the namespace (or names process `attachPid`'s), the veth pair (eth0 inside) and addresses, with a default route via the
 * host end from the egress address (and the host's route back to it), so egress NAT can work.
 * Leftovers with the same names (a crash) are removed first.
 * Two `ip` processes: one for the host side (it forks sysctl inside the namespace: the inner
 * route_localnet can only be written from a process in that namespace), one for the inside.
 */
export async function createNetwork(net: InstanceNetwork, opts: { attachPid?: number } = {}): Promise<void> {
  if (existsSync(`${SYS_NET}/${net.hostInterface}`) || existsSync(`${NETNS_DIR}/${net.netns}`)) {
    await destroyNetwork(net);
  }
  const ns = net.netns;
  const h = net.hostInterface;
  await execHost("ip", ["-batch", "-"], {
    input: [
      // A build's namespace is its container's (made by runc inside the build's user namespace): named here.
      opts.attachPid === undefined ? `netns add ${ns}` : `netns attach ${ns} ${opts.attachPid}`,
      `link add ${h} type veth peer name eth0 netns ${ns}`,
      `addr add ${net.hostAddress}/30 dev ${h}`,
      `link set ${h} up`,
      // Removed with the veth.
      `route add ${net.egressAddress}/32 dev ${h}`,
      `netns exec ${ns} sysctl -qw net.ipv4.conf.eth0.route_localnet=1`,
      "",
    ].join("\n"),
  });
  // Host end: a plain file write, no process (a packet arriving before this is merely dropped).
  await writeFile(`/proc/sys/net/ipv4/conf/${h}/route_localnet`, "1");
  await execHost("ip", ["-n", ns, "-batch", "-"], {
    input: [
      "link set lo up",
      `addr add ${net.instanceAddress}/30 dev eth0`,
      `addr add ${net.egressAddress}/32 dev eth0`,
      "link set eth0 up",
      `route add default via ${net.hostAddress} dev eth0 src ${net.egressAddress}`,
      "",
    ].join("\n"),
  });
}

/** Removes the host veth (and with it eth0), then the namespace. No error if already gone. */
/** Whether the namespace and the host end of its veth are both there (a network kept for reuse). */
export function networkExists(net: InstanceNetwork): boolean {
  return existsSync(`${SYS_NET}/${net.hostInterface}`) && existsSync(`${NETNS_DIR}/${net.netns}`);
}

/** netns -> its teardown under way in this process. */
const destroying = new Map<string, Promise<void>>();

/**
 * Removes the namespace and the veth, idempotent. Teardowns of the same network in this process
 * run one after the other (a runtime stopping while the supervisor replaces an instance): run at
 * once, both saw the network and the second batch failed on "Cannot find device".
 */
export function destroyNetwork(net: InstanceNetwork): Promise<void> {
  const before = destroying.get(net.netns);
  const mine = (before ?? Promise.resolve()).then(() => destroyNow(net), () => destroyNow(net));
  destroying.set(net.netns, mine);
  const forget = (): void => {
    if (destroying.get(net.netns) === mine) destroying.delete(net.netns);
  };
  mine.then(forget, forget);
  return mine;
}

async function destroyNow(net: InstanceNetwork): Promise<void> {
  const lines: string[] = [];
  // Checked first so one batch can run without "Cannot find device" failures.
  if (existsSync(`${SYS_NET}/${net.hostInterface}`)) lines.push(`link del ${net.hostInterface}`);
  if (existsSync(`${NETNS_DIR}/${net.netns}`)) lines.push(`netns del ${net.netns}`);
  if (lines.length === 0) return;
  try {
    await execHost("ip", ["-batch", "-"], { input: lines.join("\n") + "\n" });
  } catch (err) {
    // Removed meanwhile by another process: an `ip` a killed control plane had started goes on
    // without it (seen in CI: "Cannot remove namespace file" during a test's cleanup). Gone is
    // what was asked; anything still there is a real failure.
    if (!existsSync(`${SYS_NET}/${net.hostInterface}`) && !existsSync(`${NETNS_DIR}/${net.netns}`)) return;
    throw err;
  }
}

/** Slots whose namespace or host veth exists on this host with this prefix (crash cleanup). */
export async function listNetworks(layout: HostLayout): Promise<number[]> {
  const slots = new Set<number>();
  const collect = async (dir: string, re: RegExp): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      // No /var/run/netns until the first `ip netns add` on this host: nothing to list.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const name of names) {
      const m = re.exec(name);
      if (m?.[1] !== undefined) slots.add(Number(m[1]));
    }
  };
  await collect(NETNS_DIR, new RegExp(`^${layout.prefix}-n(\\d+)$`));
  await collect(SYS_NET, new RegExp(`^${layout.prefix}h(\\d+)$`));
  return [...slots].sort((a, b) => a - b);
}
