import type { HealthCheckConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import { DEFAULT_HEALTH_CHECK, withHealthCheckDefaults } from "../../domain/service-defaults.js";

/**
 * The health of one instance as a pure, clock-free state machine (App Runner developer guide,
 * "Configuring health checks for your service"): an instance starts in "starting", becomes
 * "healthy" after HealthyThreshold consecutive successful checks, and a healthy instance
 * becomes "unhealthy" after UnhealthyThreshold consecutive failed checks. An unhealthy
 * instance that passes HealthyThreshold consecutive checks again is healthy again. Failures
 * while starting keep it "starting": the start-up budget (`startupExpired`) decides when a
 * new instance has failed.
 */
export type HealthVerdict = "starting" | "healthy" | "unhealthy";

export interface HealthState {
  readonly verdict: HealthVerdict;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
  /** Probes recorded since the instance started. */
  readonly attempts: number;
}

/** HealthCheckConfiguration with every member present (defaults from service-defaults.ts). */
export type ResolvedHealthCheck = Required<Wire<HealthCheckConfiguration>>;

/** Fills in App Runner's defaults; accepts a partial (or absent) configuration. */
export function resolveHealthCheck(cfg: Wire<HealthCheckConfiguration> | undefined): ResolvedHealthCheck {
  const merged = withHealthCheckDefaults(cfg);
  // A member present but undefined (`{ Interval: undefined }`) survives the spread above.
  return {
    Protocol: merged.Protocol ?? DEFAULT_HEALTH_CHECK.Protocol,
    Path: merged.Path ?? DEFAULT_HEALTH_CHECK.Path,
    Interval: merged.Interval ?? DEFAULT_HEALTH_CHECK.Interval,
    Timeout: merged.Timeout ?? DEFAULT_HEALTH_CHECK.Timeout,
    HealthyThreshold: merged.HealthyThreshold ?? DEFAULT_HEALTH_CHECK.HealthyThreshold,
    UnhealthyThreshold: merged.UnhealthyThreshold ?? DEFAULT_HEALTH_CHECK.UnhealthyThreshold,
  };
}

export function initialHealth(): HealthState {
  return { verdict: "starting", consecutiveSuccesses: 0, consecutiveFailures: 0, attempts: 0 };
}

export function recordProbe(
  state: HealthState,
  ok: boolean,
  cfg: Wire<HealthCheckConfiguration> | undefined,
): { state: HealthState; verdict: HealthVerdict } {
  const c = resolveHealthCheck(cfg);
  const successes = ok ? state.consecutiveSuccesses + 1 : 0;
  const failures = ok ? 0 : state.consecutiveFailures + 1;
  let verdict = state.verdict;
  if (verdict !== "healthy" && successes >= c.HealthyThreshold) verdict = "healthy";
  else if (verdict === "healthy" && failures >= c.UnhealthyThreshold) verdict = "unhealthy";
  const next: HealthState = {
    verdict,
    consecutiveSuccesses: successes,
    consecutiveFailures: failures,
    attempts: state.attempts + 1,
  };
  return { state: next, verdict };
}

/**
 * Probes of a new instance in its first FIRST_PHASE_MS: every 5 ms. A woken instance's app
 * (issue 20's cold start) listens 10-100 ms after `runc start`, and every ms between its listen
 * and the probe that sees it is a held request's; a probe of a port nobody listens on yet is one
 * SYN answered by RST inside the instance's namespace.
 */
export const FIRST_PROBE_MS = 5;
export const FIRST_PHASE_MS = 300;
/** Probes of a new instance in its first FAST_PHASE_MS, after the first phase: every 20 ms. */
export const FAST_PROBE_MS = 20;
/** How long a new instance is probed every FAST_PROBE_MS: small servers in runc listen within ~150 ms. */
export const FAST_PHASE_MS = 1000;

/**
 * How long to wait before the next probe. While starting: every 20 ms for the first second (an
 * instance that listens is seen within 20 ms: a wake from zero and a scale-out wait on it; a TCP
 * connect to a veth costs microseconds), then the time since start (the gaps double: 1, 2, 4 s
 * ...) up to Interval. Healthy or unhealthy: every Interval seconds.
 */
export function nextProbeDelayMs(
  state: HealthState,
  cfg: Wire<HealthCheckConfiguration> | undefined,
  msSinceStart: number,
): number {
  const intervalMs = resolveHealthCheck(cfg).Interval * 1000;
  if (state.verdict !== "starting") return intervalMs;
  if (msSinceStart < FIRST_PHASE_MS) return Math.min(FIRST_PROBE_MS, intervalMs);
  if (msSinceStart < FAST_PHASE_MS) return Math.min(FAST_PROBE_MS, intervalMs);
  return Math.min(intervalMs, Math.max(FAST_PROBE_MS, Math.round(msSinceStart)));
}

/** App Runner gives a new instance 5 minutes to pass its health check. */
export const STARTUP_BUDGET_MS = 5 * 60_000;

export function startupExpired(msSinceStart: number, budgetMs: number = STARTUP_BUDGET_MS): boolean {
  return msSinceStart >= budgetMs;
}
