/**
 * Pure: what the swarm's task list means for the data plane and for a deployment: which tasks
 * run where (the node's address and the port Docker published for the task), which of a
 * deployment's tasks failed, and how to say so.
 */
import type { SwarmNode, SwarmTask } from "./engine-types.js";

/** A running task as the data plane reaches it. */
export interface TaskInstance {
  taskId: string;
  /** The Swarm service (deployment) it belongs to. */
  swarmId: string;
  nodeId: string;
  /** The node's hostname. */
  node: string;
  address: string;
  port: number;
  containerId?: string;
}

/** Where the data plane reaches a node: Status.Addr, or the manager address when a manager reports 0.0.0.0. */
export function nodeAddress(node: SwarmNode): string | undefined {
  const addr = node.Status.Addr;
  if (addr && addr !== "0.0.0.0") return addr;
  const manager = node.ManagerStatus?.Addr;
  return manager ? manager.replace(/:\d+$/, "") : undefined;
}

/**
 * Tasks that serve now: meant to run and running, on a node that is ready (a node that died
 * still lists its tasks as running until it comes back), with their port published.
 */
export function runningInstances(tasks: readonly SwarmTask[], nodes: ReadonlyMap<string, SwarmNode>, targetPort: (swarmId: string) => number | undefined): TaskInstance[] {
  const out: TaskInstance[] = [];
  for (const t of tasks) {
    if (t.DesiredState !== "running" || t.Status.State !== "running") continue;
    const node = t.NodeID ? nodes.get(t.NodeID) : undefined;
    if (!node || node.Status.State !== "ready") continue;
    const address = nodeAddress(node);
    const target = targetPort(t.ServiceID);
    const port = t.Status.PortStatus?.Ports?.find((p) => p.TargetPort === target && p.PublishedPort)?.PublishedPort;
    if (!address || !port) continue;
    out.push({
      taskId: t.ID,
      swarmId: t.ServiceID,
      nodeId: node.ID,
      node: node.Description?.Hostname ?? node.ID,
      address,
      port,
      ...(t.Status.ContainerStatus?.ContainerID ? { containerId: t.Status.ContainerStatus.ContainerID } : {}),
    });
  }
  return out;
}

/** Tasks meant to run that last ran on a node that is no longer ready (down, disconnected, or gone from the list). */
export function strandedTasks(tasks: readonly SwarmTask[], nodes: ReadonlyMap<string, SwarmNode>): SwarmTask[] {
  return tasks.filter((t) => t.DesiredState === "running" && t.Status.State === "running" && nodes.get(t.NodeID ?? "")?.Status.State !== "ready");
}

/** States in which a task's app stopped on its own or could not start. */
const ENDED: ReadonlySet<string> = new Set(["failed", "rejected", "complete"]);

export function endedOnItsOwn(t: SwarmTask): boolean {
  return ENDED.has(t.Status.State);
}

/** The first task of a Swarm service that exited or could not start, oldest first. */
export function firstEnded(tasks: readonly SwarmTask[], swarmId: string): SwarmTask | undefined {
  return tasks
    .filter((t) => t.ServiceID === swarmId && endedOnItsOwn(t))
    .sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt))[0];
}

/** The sentence for a task that ended on its own (deployment log, events stream, the error of waitHealthy). */
export function endedMessage(t: SwarmTask): string {
  const code = t.Status.ContainerStatus?.ExitCode;
  if (t.Status.State === "rejected" || code === undefined) {
    return `Instance ${t.ID} could not start: ${t.Status.Err ?? t.Status.Message ?? t.Status.State}.`;
  }
  const signal = code > 128 ? ` (signal ${code - 128})` : "";
  return `Instance ${t.ID} exited with code ${code}${signal}.`;
}

/** Why tasks of a Swarm service are not running yet (`no suitable node (insufficient resources ...)`), if Swarm says. */
export function pendingReason(tasks: readonly SwarmTask[], swarmId: string): string | undefined {
  return tasks.find((t) => t.ServiceID === swarmId && t.DesiredState === "running" && t.Status.State !== "running" && t.Status.Err)?.Status.Err;
}
