/** What tests of the Swarm driver share: how nodes pull a test registry's image, and what an owner left in the swarm. */
import type { DeploymentImage } from "../../src/runtime/driver.js";
import type { EngineApi } from "../../src/runtime/swarm/engine-api.js";
import { filters } from "../../src/runtime/swarm/engine-types.js";
import { LABELS, type NodePull } from "../../src/runtime/swarm/types.js";

/** `127.0.0.1:<port>/repo:tag` + digest -> `127.0.0.1:<port>/repo@sha256:...` (loopback registries are insecure for dockerd by default). */
export async function nodePullOf(image: DeploymentImage): Promise<NodePull> {
  const at = image.identifier.lastIndexOf("@");
  const name = at >= 0 ? image.identifier.slice(0, at) : image.identifier.replace(/:[^:/]+$/, "");
  return { reference: `${name}@${image.digest}` };
}

/** Swarm services, containers and networks with the owner's label, besides the driver's own overlay network (named `owner`). */
export async function swarmLeftovers(api: EngineApi, owner: string): Promise<string[]> {
  const q = { filters: filters({ label: [`${LABELS.owner}=${owner}`] }) };
  const [services, containers, networks] = await Promise.all([
    api.call<{ Spec: { Name: string } }[]>({ path: "/services", query: q }),
    api.call<{ Id: string; Names?: string[] }[]>({ path: "/containers/json", query: { ...q, all: 1 } }),
    api.call<{ Name: string }[]>({ path: "/networks", query: q }),
  ]);
  return [
    ...services.map((s) => `service ${s.Spec.Name}`),
    ...containers.map((c) => `container ${c.Names?.[0] ?? c.Id}`),
    ...networks.filter((n) => n.Name !== owner).map((n) => `network ${n.Name}`),
  ];
}
