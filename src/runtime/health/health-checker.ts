import type { HealthCheckConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { systemClock, type Clock } from "../../util/clock.js";
import {
  initialHealth,
  nextProbeDelayMs,
  recordProbe,
  resolveHealthCheck,
  startupExpired,
  STARTUP_BUDGET_MS,
  type HealthState,
  type HealthVerdict,
  type ResolvedHealthCheck,
} from "./health-state.js";
import { probeHttp, probeTcp, type ProbeResult } from "./probe.js";

export interface HealthTarget {
  host: string;
  port: number;
}

export interface HealthCheckerOptions {
  /** Where the instance listens; asked before every probe. */
  target: () => HealthTarget;
  /** The service's HealthCheckConfiguration, possibly partial; App Runner's defaults fill the rest. */
  config?: Wire<HealthCheckConfiguration>;
  /** Decides start-up expiry (`msSinceStart`); the probe timers themselves are real. */
  clock?: Clock;
  /** Called when the verdict changes (starting -> healthy -> unhealthy -> healthy ...). */
  onVerdict?: (verdict: HealthVerdict, lastDetail: string, attempts: number) => void;
  /** Replaces the network probe (tests). */
  probe?: (target: HealthTarget, cfg: ResolvedHealthCheck, signal: AbortSignal) => Promise<ProbeResult>;
}

export interface WaitHealthyOptions {
  /** Start-up budget; App Runner's 5 minutes by default. */
  budgetMs?: number;
  signal?: AbortSignal;
}

interface Waiter {
  budgetMs: number;
  resolve: () => void;
  reject: (err: AppRunnerError) => void;
  cleanup: () => void;
}

export function defaultProbe(target: HealthTarget, cfg: ResolvedHealthCheck, signal: AbortSignal): Promise<ProbeResult> {
  const timeoutMs = cfg.Timeout * 1000;
  return cfg.Protocol === "HTTP"
    ? probeHttp(target.host, target.port, cfg.Path, timeoutMs, signal)
    : probeTcp(target.host, target.port, timeoutMs, signal);
}

/**
 * Probes one instance on the schedule of `nextProbeDelayMs` (fast while starting, every
 * Interval once healthy) until stop(). One probe at a time: the next is scheduled when the
 * previous has answered or timed out. Timers are unref'd while nobody waits in waitHealthy(),
 * so a checker alone never keeps the process alive.
 */
export class HealthChecker {
  private readonly cfg: ResolvedHealthCheck;
  private readonly clock: Clock;
  private readonly probe: NonNullable<HealthCheckerOptions["probe"]>;
  private state: HealthState = initialHealth();
  private startedAt: number | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new AbortController();
  private lastDetail = "no health check completed yet";
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly opts: HealthCheckerOptions) {
    this.cfg = resolveHealthCheck(opts.config);
    this.clock = opts.clock ?? systemClock;
    this.probe = opts.probe ?? defaultProbe;
  }

  get verdict(): HealthVerdict {
    return this.state.verdict;
  }

  get attempts(): number {
    return this.state.attempts;
  }

  get lastProbeDetail(): string {
    return this.lastDetail;
  }

  /** Starts probing (idempotent). */
  start(): void {
    if (this.startedAt !== undefined || this.stopped) return;
    this.startedAt = this.clock.now();
    this.schedule(nextProbeDelayMs(this.state, this.cfg, 0));
  }

  /** Stops probing; an in-flight probe is aborted and pending waitHealthy() calls reject. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight.abort();
    for (const w of [...this.waiters]) this.fail(w, "health checker stopped");
  }

  /**
   * Resolves once the instance is healthy (at once if it already is); rejects with
   * InstanceFailed when the start-up budget (from start(), by the injected clock) runs out,
   * the signal aborts, or the checker is stopped. Starts the checker if needed.
   */
  waitHealthy(options: WaitHealthyOptions = {}): Promise<void> {
    if (this.state.verdict === "healthy") return Promise.resolve();
    if (this.stopped) return Promise.reject(this.failure("health checker stopped"));
    const budgetMs = options.budgetMs ?? STARTUP_BUDGET_MS;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(this.failure("wait aborted"));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => this.fail(waiter, "wait aborted");
      const waiter: Waiter = {
        budgetMs,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
      if (this.startedAt === undefined) this.start();
      else if (this.timer) {
        // Re-plan the pending probe: it must not sleep past this waiter's budget deadline, and
        // it now keeps the process alive.
        clearTimeout(this.timer);
        this.schedule(nextProbeDelayMs(this.state, this.cfg, this.msSinceStart()));
      }
      this.checkExpiry();
    });
  }

  private failure(why?: string): AppRunnerError {
    const suffix = why === undefined ? "" : ` (${why})`;
    return new AppRunnerError(
      "InstanceFailed",
      `Health check failed after ${this.state.attempts} attempts: ${this.lastDetail}${suffix}`,
    );
  }

  private fail(w: Waiter, why?: string): void {
    if (!this.waiters.delete(w)) return;
    w.cleanup();
    if (this.waiters.size === 0) this.timer?.unref();
    w.reject(this.failure(why));
  }

  private msSinceStart(): number {
    return this.clock.now() - (this.startedAt ?? this.clock.now());
  }

  private checkExpiry(): void {
    const elapsed = this.msSinceStart();
    for (const w of [...this.waiters]) if (startupExpired(elapsed, w.budgetMs)) this.fail(w);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    let delay = delayMs;
    // While someone waits, never sleep past the earliest budget deadline: the probe there is
    // the last chance, and its result is what the failure reports.
    const elapsed = this.msSinceStart();
    for (const w of this.waiters) delay = Math.min(delay, Math.max(0, w.budgetMs - elapsed));
    this.timer = setTimeout(() => void this.runProbe(), delay);
    if (this.waiters.size === 0) this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    let result: ProbeResult;
    try {
      result = await this.probe(this.opts.target(), this.cfg, this.inFlight.signal);
    } catch (err) {
      result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
    if (this.stopped) return;
    const before = this.state.verdict;
    const { state, verdict } = recordProbe(this.state, result.ok, this.cfg);
    this.state = state;
    this.lastDetail = result.detail;
    if (verdict !== before) this.opts.onVerdict?.(verdict, result.detail, state.attempts);
    if (verdict === "healthy") {
      for (const w of [...this.waiters]) {
        this.waiters.delete(w);
        w.cleanup();
        w.resolve();
      }
    } else {
      this.checkExpiry();
    }
    this.schedule(nextProbeDelayMs(this.state, this.cfg, this.msSinceStart()));
  }
}

/**
 * Starts a checker and resolves with it (still running, for the caller to keep or stop) once
 * the instance is healthy; on failure the checker is stopped and the InstanceFailed error
 * ("Health check failed after N attempts: <last detail>") is thrown.
 */
export async function waitHealthy(options: HealthCheckerOptions & WaitHealthyOptions): Promise<HealthChecker> {
  const checker = new HealthChecker(options);
  try {
    await checker.waitHealthy({ budgetMs: options.budgetMs, signal: options.signal });
    return checker;
  } catch (err) {
    checker.stop();
    throw err;
  }
}
