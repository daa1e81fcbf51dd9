/**
 * An edge router's part of a wake from zero (issue 20): its load report (every second) is how
 * the autoscaler learns of a request held here, and its route poll (every second) is how it
 * learns of the instance that woke; each would add up to a second to the cold start. While a
 * route has no instance, this looks at the edge's own HAProxy every WAKE_SAMPLE_MS (a `show stat`
 * on its local socket); once requests are held there it reports at once, and polls the routes
 * every WAKE_SAMPLE_MS until they have an instance to go to.
 */
import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import type { BackendLoad, ServiceRoute } from "../types.js";

export const WAKE_SAMPLE_MS = 20;

/** Pure: services whose route has no instance (scaled to zero) and requests held for them here. */
export function heldAtZero(routes: readonly ServiceRoute[], loads: readonly BackendLoad[]): string[] {
  const empty = new Set(routes.filter((r) => r.state === "serving" && r.instances.length === 0).map((r) => r.serviceId));
  return loads.filter((l) => empty.has(l.serviceId) && l.queued > 0).map((l) => l.serviceId).sort();
}

export interface WakeWatchOptions {
  routes: () => ServiceRoute[];
  load: () => Promise<BackendLoad[]>;
  /** Requests are newly held for these services: report the load now. */
  report: () => void;
  /** Requests are held: fetch the routes now (the woken instance may be in them). */
  sync: () => void;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  sampleMs?: number;
  timers?: TaskTimers;
}

export class WakeWatch {
  private readonly task: PeriodicTask<void>;
  private held = "";

  constructor(private readonly opts: WakeWatchOptions) {
    this.task = new PeriodicTask({ name: "edge router wake watch", everyMs: opts.sampleMs ?? WAKE_SAMPLE_MS, run: () => this.look(), logger: opts.logger, timers: opts.timers });
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One look; nothing to do (not even a `show stat`) while every route has an instance. */
  async look(): Promise<void> {
    const routes = this.opts.routes();
    if (!routes.some((r) => r.state === "serving" && r.instances.length === 0)) {
      this.held = "";
      return;
    }
    const held = heldAtZero(routes, await this.opts.load());
    const key = held.join(",");
    if (key !== this.held && held.length > 0) this.opts.report();
    this.held = key;
    if (held.length > 0) this.opts.sync();
  }
}
