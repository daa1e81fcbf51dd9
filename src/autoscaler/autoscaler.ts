/**
 * The autoscaling loop: every interval it reads the router's backend load, keeps each service's
 * per-second concurrency for the longest window, asks decide() and calls scale() when the count
 * should change. All the policy is in decide.ts; this file only feeds it and acts on it.
 */
import type { BackendLoad } from "../router/types.js";
import type { Clock } from "../util/clock.js";
import {
  decide,
  INITIAL_AUTOSCALER_STATE,
  STABLE_WINDOW_SECONDS,
  type AutoscalerState,
  type ConcurrencySample,
} from "./decide.js";

/** A service as the loop sees it: its AutoScalingConfiguration and its instances now. */
export interface ScalableService {
  serviceId: string;
  minSize: number;
  maxSize: number;
  maxConcurrency: number;
  /** Instances the service has now. */
  current: number;
  /** A deployment (or another operation that owns the instance count) is running. */
  deploying: boolean;
}

export type AutoscalerLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface AutoscalerOptions {
  clock: Clock;
  /** How often load is sampled and decisions are made; 1000 ms (decide() works in whole seconds). */
  intervalMs?: number;
  /** Load of every service backend right now (TrafficRouter.load). */
  load: () => Promise<BackendLoad[]>;
  /** The services to scale (RUNNING services with their configuration and instance counts). */
  services: () => readonly ScalableService[] | Promise<readonly ScalableService[]>;
  /** Brings the service to `desired` instances; resolves once done. */
  scale: (serviceId: string, desired: number, reason: string) => Promise<void>;
  logger?: AutoscalerLogger;
  /** Passed to decide() for every service; decide()'s DEFAULT_TARGET_UTILIZATION when absent. */
  targetUtilization?: number;
  /** Shorter stable window and scale-down delay (tests); decide()'s Knative-like defaults when absent. */
  windows?: { stableWindowSeconds?: number; scaleDownDelayMs?: number };
}

/** After a failed scale() call, the service is not scaled again for this long. */
export const SCALE_RETRY_MS = 5_000;

interface Tracked {
  /** second -> highest concurrency seen in it. */
  history: Map<number, number>;
  state: AutoscalerState;
  /** A scale() call for this service is running. */
  scaling: boolean;
  /** No scale() call before this time (ms), after a failure. */
  retryAt: number;
}

export class Autoscaler {
  private readonly intervalMs: number;
  private readonly log: AutoscalerLogger;
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly scaling = new Set<Promise<void>>();

  constructor(private readonly opts: AutoscalerOptions) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.log = opts.logger ?? (() => undefined);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; resolves once the running tick and scale() calls have finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await Promise.all([...this.scaling]);
  }

  /**
   * One round: sample, decide, scale; resolves once its scale() calls are done. The timer calls
   * it; tests call it directly. While a round is still reading load and deciding, another call
   * returns that round instead of starting one, so a slow router never piles rounds up. scale()
   * calls run outside that guard (a slow scale-out must not stop sampling) and at most one per
   * service at a time. Never rejects: failures are logged.
   */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    let calls: Promise<void>[] = [];
    this.running = this.round()
      .then((started) => {
        calls = started;
      })
      .catch((err: unknown) => this.log("autoscaler: round failed", { error: describe(err) }))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
    await Promise.all(calls);
  }

  /** Samples and state kept for a service (for tests and diagnostics). */
  history(serviceId: string): ConcurrencySample[] {
    const t = this.tracked.get(serviceId);
    return t ? [...t.history].map(([second, concurrency]) => ({ second, concurrency })) : [];
  }

  /** Samples and decides; returns the scale() calls it started. */
  private async round(): Promise<Promise<void>[]> {
    const now = this.opts.clock.now();
    const second = Math.floor(now / 1000);
    let loads: BackendLoad[];
    try {
      loads = await this.opts.load();
    } catch (err) {
      // Blind for this second: carry the last known concurrency forward, so an unreachable router
      // reads as "unchanged", not as "quiet" (which would scale services in), and decide nothing.
      this.log("autoscaler: reading backend load failed; keeping the last samples", { error: describe(err) });
      for (const t of this.tracked.values()) carryForward(t.history, second);
      return [];
    }
    const services = await this.opts.services();

    const seen = new Set<string>();
    const calls: Promise<void>[] = [];
    for (const svc of services) {
      seen.add(svc.serviceId);
      let t = this.tracked.get(svc.serviceId);
      if (!t) {
        t = { history: new Map(), state: INITIAL_AUTOSCALER_STATE, scaling: false, retryAt: 0 };
        this.tracked.set(svc.serviceId, t);
      }
      record(t.history, second, loads, svc.serviceId);
      prune(t.history, second);

      // App Runner temporarily doubles the provisioned instances during a deployment, so both the
      // old and the new code have the full capacity, and the deployment owns the instance count
      // until it finishes. Deciding on that doubled count would scale in the very instances the
      // deployment is bringing up, or race it. So deploying services are left alone: samples are
      // still kept (the windows stay right), but there is no decision, and a pending scale-in
      // delay starts over once the deployment is done.
      if (svc.deploying) {
        if (t.state.scaleDown) t.state = { ...t.state, scaleDown: undefined };
        continue;
      }

      let decision: ReturnType<typeof decide>;
      try {
        decision = decide({
          now,
          samples: this.history(svc.serviceId),
          current: svc.current,
          config: {
            minSize: svc.minSize,
            maxSize: svc.maxSize,
            maxConcurrency: svc.maxConcurrency,
            ...(this.opts.targetUtilization !== undefined ? { targetUtilization: this.opts.targetUtilization } : {}),
            ...this.opts.windows,
          },
          state: t.state,
        });
      } catch (err) {
        this.log("autoscaler: decision failed", { serviceId: svc.serviceId, error: describe(err) });
        continue;
      }
      t.state = decision.state;
      if (decision.desired === svc.current || t.scaling || now < t.retryAt) continue;
      calls.push(this.runScale(svc, t, decision.desired, decision.reason));
    }
    for (const id of this.tracked.keys()) if (!seen.has(id)) this.tracked.delete(id);
    return calls;
  }

  private runScale(svc: ScalableService, t: Tracked, desired: number, reason: string): Promise<void> {
    const fields = { serviceId: svc.serviceId, current: svc.current, desired, reason };
    this.log("autoscaler: scaling", fields);
    t.scaling = true;
    const call = (async () => {
      try {
        await this.opts.scale(svc.serviceId, desired, reason);
      } catch (err) {
        t.retryAt = this.opts.clock.now() + SCALE_RETRY_MS;
        this.log("autoscaler: scaling failed", { ...fields, retryInMs: SCALE_RETRY_MS, error: describe(err) });
      } finally {
        t.scaling = false;
      }
    })();
    this.scaling.add(call);
    void call.finally(() => this.scaling.delete(call));
    return call;
  }
}

/** concurrency = in flight + queued; the highest value when a second is sampled more than once. */
function record(history: Map<number, number>, second: number, loads: readonly BackendLoad[], serviceId: string): void {
  let concurrency: number | undefined;
  for (const l of loads) {
    if (l.serviceId !== serviceId) continue;
    concurrency = (concurrency ?? 0) + Math.max(0, l.inFlight) + Math.max(0, l.queued);
  }
  // A service the router does not report had no traffic: no sample, which decide() reads as 0.
  if (concurrency === undefined) return;
  history.set(second, Math.max(history.get(second) ?? 0, concurrency));
}

/** Repeats the sample of the previous second (or the one before: timers drift) into `second`. */
function carryForward(history: Map<number, number>, second: number): void {
  if (history.has(second)) return;
  const last = history.get(second - 1) ?? history.get(second - 2);
  if (last !== undefined && last > 0) history.set(second, last);
}

function prune(history: Map<number, number>, second: number): void {
  for (const s of history.keys()) if (s <= second - STABLE_WINDOW_SECONDS) history.delete(s);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
