import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import type { BackendLoad, ServiceRoute } from "../types.js";
import type { ControlPlaneClient } from "./control-plane-client.js";
import { diffRoutes } from "./route-diff.js";
import { newNotices } from "./start-failures.js";
import { WakeWatch } from "./wake-watch.js";

type Logger = (message: string, fields?: Record<string, unknown>) => void;

/** What the edge router drives: a HaproxyRouter of its own directory. */
export interface EdgeDataPlane {
  start(): Promise<void>;
  stop(): Promise<void>;
  routes(): ServiceRoute[];
  apply(route: ServiceRoute): Promise<void>;
  remove(serviceId: string): Promise<void>;
  load(): Promise<BackendLoad[]>;
  /** Held requests of the service get 503 now, and new ones for `forMs` (TrafficRouter.startFailed). */
  startFailed?(serviceId: string, forMs: number): Promise<void>;
}

export interface EdgeRouterOptions {
  name: string;
  router: EdgeDataPlane;
  controlPlane: ControlPlaneClient;
  logger: Logger;
  /** How often routes are polled and load reported (default 1 s). */
  everyMs?: number;
  /** Longest wait between tries while the control plane cannot be reached (default 10 s). */
  maxBackoffMs?: number;
  timers?: TaskTimers;
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Pure: the wait before the next try after `failures` failures in a row: everyMs, doubling, capped. */
export function backoffMs(everyMs: number, failures: number, maxMs: number): number {
  return failures === 0 ? everyMs : Math.min(maxMs, everyMs * 2 ** Math.min(failures, 20));
}

/**
 * HAProxy on a node that takes traffic, fed from the control plane: every second it fetches the
 * route table (a 304 when unchanged) and applies the difference, and reports its load for the
 * autoscaler. When the control plane cannot be reached it keeps serving the last table it had
 * (persisted by the router, so a restart serves before the control plane answers) and tries
 * again with a growing wait.
 */
export class EdgeRouter {
  /** The version of the table applied in full (sent back to the control plane with the load). */
  private etag: string | undefined;
  private syncFailures = 0;
  private reportFailures = 0;
  /** Failed-start notices acted on (those the table still lists). */
  private startFailuresSeen = new Set<string>();
  private readonly sync: PeriodicTask<void>;
  private readonly report: PeriodicTask<void>;
  /** Requests held for a service at zero are reported, and its woken instance fetched, at once (scale to zero). */
  private readonly wake: WakeWatch;
  /** Route changes applied (for the operator's log and tests). */
  applied = 0;

  constructor(private readonly opts: EdgeRouterOptions) {
    const every = opts.everyMs ?? 1_000;
    const max = opts.maxBackoffMs ?? 10_000;
    this.sync = new PeriodicTask({
      name: "edge router route sync",
      everyMs: every,
      firstRunMs: 0,
      nextRunInMs: () => backoffMs(every, this.syncFailures, max),
      run: (signal) => this.syncOnce(signal),
      logger: opts.logger,
      timers: opts.timers,
      context: { edge: opts.name },
    });
    this.report = new PeriodicTask({
      name: "edge router load report",
      everyMs: every,
      nextRunInMs: () => backoffMs(every, this.reportFailures, max),
      run: (signal) => this.reportOnce(signal),
      logger: opts.logger,
      timers: opts.timers,
      context: { edge: opts.name },
    });
    this.wake = new WakeWatch({
      routes: () => opts.router.routes(),
      load: () => opts.router.load(),
      report: () => this.report.runSoon(),
      // Not while the control plane cannot be reached: the route sync's back-off stands.
      sync: () => (this.syncFailures === 0 ? this.sync.runSoon() : undefined),
      logger: opts.logger,
      timers: opts.timers,
    });
  }

  /** Starts HAProxy with the routes it persisted (serving at once), then follows the control plane. */
  async start(): Promise<void> {
    await this.opts.router.start();
    this.opts.logger("edge router: serving the routes it had", { edge: this.opts.name, services: this.opts.router.routes().length });
    this.sync.start();
    this.report.start();
    this.wake.start();
  }

  /** Stops following the control plane, then HAProxy. */
  async stop(): Promise<void> {
    await this.wake.stop();
    await this.sync.stop();
    await this.report.stop();
    await this.opts.router.stop();
  }

  /** One poll: fetch the table unless unchanged, apply what differs. A failed apply is retried at the next poll. */
  async syncOnce(signal: AbortSignal): Promise<void> {
    let answer: Awaited<ReturnType<ControlPlaneClient["routes"]>>;
    try {
      answer = await this.opts.controlPlane.routes(this.etag, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.syncFailures++;
      this.opts.logger("edge router: the control plane cannot be reached; serving the last routes", {
        edge: this.opts.name,
        failures: this.syncFailures,
        error: errText(err),
      });
      return;
    }
    if (this.syncFailures > 0) this.opts.logger("edge router: the control plane answers again", { edge: this.opts.name, after: this.syncFailures });
    this.syncFailures = 0;
    if (answer === "unchanged") return;
    const diff = diffRoutes(this.opts.router.routes(), answer.routes);
    let complete = true;
    for (const route of diff.apply) {
      try {
        await this.opts.router.apply(route);
        this.applied++;
      } catch (err) {
        complete = false;
        this.opts.logger("edge router: applying a route failed", { edge: this.opts.name, serviceId: route.serviceId, error: errText(err) });
      }
    }
    for (const serviceId of diff.remove) {
      try {
        await this.opts.router.remove(serviceId);
        this.applied++;
      } catch (err) {
        complete = false;
        this.opts.logger("edge router: removing a route failed", { edge: this.opts.name, serviceId, error: errText(err) });
      }
    }
    if (diff.apply.length + diff.remove.length > 0) {
      this.opts.logger("edge router: routes updated", { edge: this.opts.name, applied: diff.apply.length, removed: diff.remove.length });
    }
    await this.applyStartFailures(answer.startFailed ?? []);
    // Only a table applied in full is remembered: otherwise the next poll fetches it again.
    this.etag = complete ? answer.etag : undefined;
    // The control plane waits for this report before it stops instances that left the table.
    if (complete) this.report.runSoon();
  }

  /** A service at zero failed to start: its requests held here get 503 too (start-failures.ts). */
  private async applyStartFailures(notices: Parameters<typeof newNotices>[0]): Promise<void> {
    const { fresh, seen } = newNotices(notices, this.startFailuresSeen);
    this.startFailuresSeen = seen;
    for (const n of fresh) {
      try {
        await this.opts.router.startFailed?.(n.serviceId, n.forMs);
      } catch (err) {
        this.opts.logger("edge router: answering held requests 503 failed", { edge: this.opts.name, serviceId: n.serviceId, error: errText(err) });
      }
    }
  }

  async reportOnce(signal: AbortSignal): Promise<void> {
    const loads = await this.opts.router.load();
    try {
      await this.opts.controlPlane.report({ name: this.opts.name, loads, ...(this.etag ? { routes: this.etag } : {}) }, signal);
    } catch (err) {
      if (signal.aborted) return;
      // The route sync already says the control plane is gone; only the first failure is worth a line here.
      if (this.reportFailures++ === 0) this.opts.logger("edge router: reporting load failed", { edge: this.opts.name, error: errText(err) });
      return;
    }
    this.reportFailures = 0;
  }
}
