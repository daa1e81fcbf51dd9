/**
 * Pure: scale to zero on a swarm (issue 20). A serving deployment at 0 replicas keeps its route
 * with no server, so every router (the control plane's and each edge router) holds its
 * requests; they wake it through scale(id, n). These are the decisions around that: the
 * replicas a scale asks for, when the watcher looks at the swarm faster (a wake is waiting for
 * its first task), and when held requests get 503 because the task the service waited for
 * ended before it passed its health check.
 */
import type { HealthVerdict } from "../health/health-state.js";
import { startBackoffMs } from "../start-backoff.js";
import type { DeploymentSettings } from "./service-spec.js";

/** How often the swarm is listed while a service waits for its first task (instead of every watchMs). */
export const WAKE_WATCH_MS = 25;
/** A wake is watched fast for at most this long (a task that cannot be placed must not keep the manager busy). */
export const WAKE_FAST_FOR_MS = 30_000;

/** The replicas scale(id, desired) sets: 0 stays 0 (only asked for services that opted in), others within MinSize..MaxSize and at least 1. */
export function replicasFor(settings: Pick<DeploymentSettings, "minSize" | "maxSize">, desired: number): number {
  return desired === 0 ? 0 : Math.min(settings.maxSize, Math.max(settings.minSize, 1, desired));
}

/** A serving deployment with replicas wanted and none of its tasks taking requests yet: requests are held for it. */
export function waking(d: { role: string; desired: number }, routableNow: number): boolean {
  return d.role === "serving" && d.desired > 0 && routableNow === 0;
}

/**
 * Whether the watcher looks fast now: a wake (a scale from 0 replicas) began less than
 * WAKE_FAST_FOR_MS ago and its deployment still waits for a task to take requests. Wakes that
 * are over (served, retired, or expired) are forgotten.
 */
export function watchFast(wakes: Map<string, number>, now: number, stillWaking: (deploymentId: string) => boolean): boolean {
  for (const [deploymentId, since] of wakes) {
    if (now - since >= WAKE_FAST_FOR_MS || now < since || !stillWaking(deploymentId)) wakes.delete(deploymentId);
  }
  return wakes.size > 0;
}

/**
 * A task that ended on its own was the start the service's held requests waited for: its
 * deployment serves, wants replicas, has no other task taking requests, and the task never
 * passed its health check (absent: it never ran long enough to be checked).
 */
export function failedStart(d: { role: string; desired: number }, routableNow: number, verdict: HealthVerdict | undefined): boolean {
  return waking(d, routableNow) && verdict !== "healthy";
}

/** Failed starts in a row per deployment, forgotten once one of its tasks takes requests. */
export class StartFailures {
  private readonly byDeployment = new Map<string, number>();

  /** One more failed start; the 503 window it earns. */
  failed(deploymentId: string): number {
    const n = (this.byDeployment.get(deploymentId) ?? 0) + 1;
    this.byDeployment.set(deploymentId, n);
    return startBackoffMs(n);
  }

  serving(deploymentId: string): void {
    this.byDeployment.delete(deploymentId);
  }
}
