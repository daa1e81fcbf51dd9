/**
 * The autoscaling loop: every sampleMs (250 ms) it reads the router's backend load and keeps each
 * service's per-second highest concurrency and queue for the longest window; every intervalMs
 * (1 s) it asks decide() and calls scale() when the count should change. A queue decides at once:
 * requests wait only once every instance is full, so waiting for the next whole second would only
 * delay the scale-out that decide() is sure to ask for (issue 4: new instances serve within 3 s of
 * a load step). Decisions are not made at every sample because services() reads deployment
 * records from disk. All the policy is in decide.ts; this file only feeds it and acts on it.
 */
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { BackendLoad } from "../router/types.js";
import type { Clock } from "../util/clock.js";
import { PeriodicTask, type TaskTimers } from "../util/periodic-task.js";
import {
  decide,
  INITIAL_AUTOSCALER_STATE,
  STABLE_WINDOW_SECONDS,
  type AutoscalerState,
  type ConcurrencySample,
} from "./decide.js";
import { decideZero } from "./zero.js";

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
  /** The service scales to zero after this long without a request (its opt-in); absent: never below MinSize. */
  idleMs?: number;
}

export type AutoscalerLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface AutoscalerOptions {
  clock: Clock;
  /** How often decisions are made (DEFAULT_INTERVAL_MS; decide() works in whole seconds); a new queue decides sooner. */
  intervalMs?: number;
  /** How often load is sampled (DEFAULT_SAMPLE_MS), and so how soon a queue is seen; at most intervalMs. */
  sampleMs?: number;
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
  /** How often the load is looked at while a service is at zero (DEFAULT_WAKE_SAMPLE_MS): its first request waits on it. */
  wakeSampleMs?: number;
  /** Tests: the sampling timers (Node's by default). */
  timers?: TaskTimers;
}

/** After a failed scale() call, the service is not scaled again for this long. */
export const SCALE_RETRY_MS = 5_000;
/** Decisions once a second: decide() works in whole seconds. */
export const DEFAULT_INTERVAL_MS = 1000;
/**
 * Samples four times a second: a load step shows as a queue within 250 ms. A sample is one
 * `show stat` on HAProxy's local admin socket; decisions (and services()) stay at intervalMs.
 */
export const DEFAULT_SAMPLE_MS = 250;
/**
 * While a service is at zero its first request is held until an instance is up, and waiting a
 * whole sample (250 ms) to notice it would be most of a cold start: 10 ms, and only while some
 * service is at zero (a `show stat` on the local socket costs well under a millisecond).
 */
export const DEFAULT_WAKE_SAMPLE_MS = 10;

/** One second of one service: the highest concurrency (in flight + queued) and queue sampled in it. */
interface SecondLoad {
  concurrency: number;
  queued: number;
  /** The backend's request counter at the sample (BackendLoad.requests). */
  requests?: number;
}

interface Tracked {
  /** second -> the highest load sampled in it. */
  history: Map<number, SecondLoad>;
  state: AutoscalerState;
  /** A scale() call for this service is running. */
  scaling: boolean;
  /** No scale() call before this time (ms), after a failure. */
  retryAt: number;
  /** When a request was last seen (ms): the idle period of scale to zero counts from here. */
  lastActiveAt: number;
  /** The request counter at the last sample; a change is a request. */
  requests?: number;
  /** Requests in flight or waiting at the last sample. */
  loadNow: number;
  /** Scales to zero and has no instance now: a held request must wake it at once. */
  atZero: boolean;
}

export class Autoscaler {
  private readonly intervalMs: number;
  private readonly sampleMs: number;
  private readonly log: AutoscalerLogger;
  private readonly tracked = new Map<string, Tracked>();
  private readonly sampler: PeriodicTask;
  private readonly waker: PeriodicTask;
  /** The round under way: resolves to the scale() calls it started. */
  private running: Promise<Promise<void>[]> | undefined;
  private readonly scaling = new Set<Promise<void>>();
  /** When the last decision round started (ms); undefined before the first. */
  private decidedAt: number | undefined;
  /** Services whose requests were waiting when the last decision round started. */
  private queuesDecided = new Set<string>();

  constructor(private readonly opts: AutoscalerOptions) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    // Sampling less often than deciding would only make decisions on stale samples.
    this.sampleMs = Math.min(opts.sampleMs ?? DEFAULT_SAMPLE_MS, this.intervalMs);
    for (const [name, ms] of [["intervalMs", this.intervalMs], ["sampleMs", this.sampleMs]] as const) {
      if (!(Number.isFinite(ms) && ms > 0)) {
        throw new AppRunnerError("InternalServiceError", `autoscaler: ${name} must be a positive number of milliseconds, not ${ms}`);
      }
    }
    this.log = opts.logger ?? (() => undefined);
    // The timer's runs do not wait for scale() calls: a slow scale-out must not stop sampling.
    this.sampler = new PeriodicTask({
      name: "autoscaler",
      everyMs: this.sampleMs,
      // Its scale() calls go on by themselves (kept in `scaling`; they never reject).
      run: async () => void (await this.sampleAndDecide()),
      logger: this.log,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
    this.waker = new PeriodicTask({
      name: "autoscaler wake-up",
      everyMs: opts.wakeSampleMs ?? DEFAULT_WAKE_SAMPLE_MS,
      run: () => this.wakeIfHeld(),
      logger: this.log,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
  }

  /** Samples every sampleMs (and every wakeSampleMs while a service is at zero). Idempotent. */
  start(): void {
    this.sampler.start();
    this.waker.start();
  }

  /** Stops sampling; resolves once the running round and scale() calls have finished. */
  async stop(): Promise<void> {
    await Promise.all([this.sampler.stop(), this.waker.stop()]);
    const calls = (await this.running) ?? [];
    await Promise.all([...calls, ...this.scaling]);
  }

  /**
   * One round: sample, and when a decision is due (intervalMs since the last one, or a queue the
   * last decision did not see) decide and scale; resolves once its scale() calls are done. Tests
   * call it directly; the timer runs the same round every sampleMs without waiting for its
   * scale() calls. While a round is still reading load and deciding, another call shares that
   * round instead of starting one, so a slow router (or a slow services()) never piles rounds up. scale() calls run outside that guard (a slow
   * scale-out must not stop sampling) and at most one per service at a time. Never rejects:
   * failures are logged.
   */
  async tick(): Promise<void> {
    await Promise.all(await this.sampleAndDecide());
  }

  /** The round under way, or a new one; resolves to its scale() calls once it has sampled and decided. */
  private sampleAndDecide(): Promise<Promise<void>[]> {
    // `.finally` callbacks always run after this assignment, so `running` never keeps a settled round.
    this.running ??= this.round()
      .catch((err: unknown): Promise<void>[] => {
        this.log("autoscaler: round failed", { error: describe(err) });
        return [];
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /**
   * While some service is at zero: a round at once when requests wait for one of them (the
   * round's decision is due: a queue it has not decided on), instead of at the next sample.
   */
  private async wakeIfHeld(): Promise<void> {
    const sleeping = [...this.tracked].filter(([, t]) => t.atZero && !t.scaling).map(([id]) => id);
    if (sleeping.length === 0 || this.running) return;
    const loads = byService(await this.opts.load());
    if (sleeping.some((id) => (loads.get(id)?.queued ?? 0) > 0)) void (await this.sampleAndDecide()); // its scale() calls go on by themselves
  }

  /** Samples and state kept for a service (for tests and diagnostics). */
  history(serviceId: string): ConcurrencySample[] {
    const t = this.tracked.get(serviceId);
    return t ? [...t.history].map(([second, l]) => ({ second, concurrency: l.concurrency, queued: l.queued })) : [];
  }

  /** Samples, and decides when due; returns the scale() calls it started. */
  private async round(): Promise<Promise<void>[]> {
    const now = this.opts.clock.now();
    const second = Math.floor(now / 1000);
    let loads: Map<string, SecondLoad>;
    try {
      loads = byService(await this.opts.load());
    } catch (err) {
      // Blind for this sample: carry the last known concurrency forward, so an unreachable router
      // reads as "unchanged", not as "quiet" (which would scale services in), and decide nothing.
      this.log("autoscaler: reading backend load failed; keeping the last samples", { error: describe(err) });
      for (const t of this.tracked.values()) carryForward(t.history, second);
      return [];
    }
    // Services seen by an earlier decision round; a new one is tracked from its first decision
    // round on (at most intervalMs later, at once when its requests queue).
    for (const [id, t] of this.tracked) {
      record(t.history, second, loads.get(id));
      prune(t.history, second);
      noteActivity(t, loads.get(id), now);
    }
    if (!this.decisionDue(now, loads)) return [];
    this.decidedAt = now;
    this.queuesDecided = new Set([...loads].filter(([, l]) => l.queued > 0).map(([id]) => id));
    const services = await this.opts.services();

    const seen = new Set<string>();
    const calls: Promise<void>[] = [];
    for (const svc of services) {
      seen.add(svc.serviceId);
      let t = this.tracked.get(svc.serviceId);
      if (!t) {
        t = { history: new Map(), state: INITIAL_AUTOSCALER_STATE, scaling: false, retryAt: 0, lastActiveAt: now, loadNow: 0, atZero: false };
        this.tracked.set(svc.serviceId, t);
        record(t.history, second, loads.get(svc.serviceId));
        noteActivity(t, loads.get(svc.serviceId), now);
      }

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

      t.atZero = svc.idleMs !== undefined && svc.current === 0;
      if (svc.idleMs !== undefined) {
        const zero = decideZero({
          now,
          current: svc.current,
          idleMs: svc.idleMs,
          lastActiveAt: t.lastActiveAt,
          waiting: t.loadNow,
          maxConcurrency: svc.maxConcurrency,
          maxSize: svc.maxSize,
        });
        if (zero) {
          // decide()'s windows start over: its history of the instances that are gone says nothing.
          if (zero.desired === 0) t.state = INITIAL_AUTOSCALER_STATE;
          if (!t.scaling && now >= t.retryAt) {
            const call = this.runScale(svc, t, zero.desired, zero.reason);
            // At zero once its instances are gone: from then on a held request wakes it within wakeSampleMs.
            if (zero.desired === 0) void call.then(() => (t.atZero = t.retryAt <= this.opts.clock.now()));
            calls.push(call);
          }
          continue;
        }
        // At zero with nothing waiting: decide() would bring MinSize back.
        if (svc.current === 0) continue;
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

  /**
   * Regular rounds every intervalMs (half a sample early counts: timers drift, and a round 1 ms
   * short must not wait a whole sample more), and at once for a queue the last decision round did
   * not see. A queue that persists (a service at MaxSize, instances still starting, services()
   * failing) is left to the regular rounds: deciding on it again would read services() at every
   * sample for nothing.
   */
  private decisionDue(now: number, loads: ReadonlyMap<string, SecondLoad>): boolean {
    if (this.decidedAt === undefined) return true;
    const since = now - this.decidedAt;
    // since < 0: the wall clock was set back; waiting for it to catch up would stop scaling.
    if (since < 0 || since >= this.intervalMs - this.sampleMs / 2) return true;
    for (const [id, l] of loads) if (l.queued > 0 && !this.queuesDecided.has(id)) return true;
    return false;
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

/** concurrency = in flight + queued, summed over a service's backends. */
function byService(loads: readonly BackendLoad[]): Map<string, SecondLoad> {
  const out = new Map<string, SecondLoad>();
  for (const l of loads) {
    const inFlight = Math.max(0, l.inFlight);
    const queued = Math.max(0, l.queued);
    const sum = out.get(l.serviceId) ?? { concurrency: 0, queued: 0 };
    const requests = l.requests === undefined ? sum.requests : (sum.requests ?? 0) + l.requests;
    out.set(l.serviceId, { concurrency: sum.concurrency + inFlight + queued, queued: sum.queued + queued, ...(requests !== undefined ? { requests } : {}) });
  }
  return out;
}

/** A request in flight or waiting, or the request counter moving (a short request between two samples), is activity. */
function noteActivity(t: Tracked, load: SecondLoad | undefined, now: number): void {
  t.loadNow = load?.concurrency ?? 0;
  const moved = load?.requests !== undefined && t.requests !== undefined && load.requests !== t.requests;
  if (t.loadNow > 0 || moved) t.lastActiveAt = now;
  if (load?.requests !== undefined) t.requests = load.requests;
}

/** The highest concurrency and the highest queue when a second is sampled more than once. */
function record(history: Map<number, SecondLoad>, second: number, load: SecondLoad | undefined): void {
  // A service the router does not report had no traffic: no sample, which decide() reads as 0.
  if (!load) return;
  const had = history.get(second);
  history.set(second, {
    concurrency: Math.max(had?.concurrency ?? 0, load.concurrency),
    queued: Math.max(had?.queued ?? 0, load.queued),
  });
}

/**
 * Repeats the concurrency of the previous second (or the one before: timers drift) into `second`.
 * Not the queue: decide() reads a queue in the latest second as "requests wait right now", which
 * a blind sample cannot tell.
 */
function carryForward(history: Map<number, SecondLoad>, second: number): void {
  if (history.has(second)) return;
  const last = history.get(second - 1) ?? history.get(second - 2);
  if (last !== undefined && last.concurrency > 0) history.set(second, { concurrency: last.concurrency, queued: 0 });
}

function prune(history: Map<number, SecondLoad>, second: number): void {
  for (const s of history.keys()) if (s <= second - STABLE_WINDOW_SECONDS) history.delete(s);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
