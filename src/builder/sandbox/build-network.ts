/**
 * A build's network: a namespace of its own, joined to the host like an instance's (veth, 127.x
 * /30, egress address, executor/network.ts) on one of the last 256 slots of the data
 * directory's layout, so the same firewall table applies: outbound internet (also with
 * `--egress off`: builds install packages) and nothing else, not the host, not an instance, not
 * another build. runc makes the namespace inside the build's user namespace (runc exec cannot
 * join a network namespace its user namespace does not own); the host wires it up between
 * `runc create` and `runc start`. The build holds no CAP_NET_ADMIN, so it cannot rewire it.
 */
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { namespaceResolvConf, parseResolvConf } from "../../executor/egress.js";
import { execHost } from "../../executor/exec.js";
import { FIRST_BUILD_SLOT, LAST_SLOT, createNetwork, destroyNetwork, networkForSlot } from "../../executor/network.js";
import type { HostLayout, InstanceNetwork } from "../../executor/types.js";

/** Build slots taken in this process, by layout prefix. */
const taken = new Map<string, Set<number>>();

export interface BuildNetwork {
  network: InstanceNetwork;
  /** /etc/hosts of the build: localhost and `build` on its own address. */
  hosts: string;
  /** /etc/resolv.conf of the build: the one resolver it can reach. */
  resolv: string;
  /** Joins the namespace of the build container's process `pid` to the host. */
  attach(pid: number): Promise<void>;
  /** Removes the veth and the namespace's name, and frees the slot (idempotent). */
  release(): Promise<void>;
}

/**
 * Takes a build slot. Refuses when the layout's firewall table is not loaded: a build must never
 * run with unfiltered egress.
 */
export async function allocateBuildNetwork(layout: HostLayout, hostResolvConf: string): Promise<BuildNetwork> {
  try {
    await execHost("nft", ["list", "table", "inet", layout.prefix]);
  } catch (err) {
    throw new AppRunnerError("BuildFailed", `The build sandbox's firewall (nftables table inet ${layout.prefix}) is not loaded; refusing to build with unfiltered network access.`, { cause: err });
  }
  let slots = taken.get(layout.prefix);
  if (!slots) taken.set(layout.prefix, (slots = new Set()));
  let slot = FIRST_BUILD_SLOT;
  while (slots.has(slot) && slot <= LAST_SLOT) slot++;
  if (slot > LAST_SLOT) throw new AppRunnerError("BuildFailed", `No build network is free: ${LAST_SLOT - FIRST_BUILD_SLOT + 1} builds are running.`);
  slots.add(slot);
  const network = networkForSlot(layout, slot);
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    await destroyNetwork(network);
    released = true;
    slots.delete(slot);
  };
  return {
    network,
    attach: (pid) => createNetwork(network, { attachPid: pid }),
    hosts: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${network.instanceAddress}\tbuild\n`,
    resolv: namespaceResolvConf(parseResolvConf(hostResolvConf)),
    release,
  };
}
