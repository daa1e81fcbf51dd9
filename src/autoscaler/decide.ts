/**
 * The autoscaling decision: a pure function of the per-second concurrency (and queue) history,
 * the instance count the service has now, its AutoScalingConfiguration and the decider's own small
 * state. The clock is passed in (`now`), so every rule below is tested as a table, without timers.
 *
 * Modelled on Knative's KPA (stable window, panic window, panic threshold, scale-down delay,
 * max scale-down rate), with App Runner's trigger added: App Runner "scales up the service" when
 * the concurrent requests exceed what its instances take (MaxConcurrency each).
 *
 * Rules, in order:
 * 1. Windows. `stable` = average concurrency over the last 60 s, `panic` = the larger of the 6 s
 *    average and the concurrency sustained over the last 2 s (the lower of the two latest seconds).
 *    Seconds without a sample count as 0 (the data plane reports only seconds with traffic), but
 *    seconds before the decider first saw the service are unknown, not quiet: windows are
 *    averaged over the seconds observed so far.
 * 2. Panic. The decider panics when
 *    a. requests wait in the latest second (a sample with `queued` > 0 for the second of `now`):
 *       HAProxy queues only once every instance has MaxConcurrency in flight, so this is App
 *       Runner's own trigger, observed directly, and needs no second to confirm it; the panic value
 *       is then at least that second's concurrency (in flight + queued). A queue in an older second
 *       only is history, left to the windows;
 *    b. the sustained concurrency reaches what the current instances take (current x
 *       MaxConcurrency: they are full, further requests queue); the only "full" signal when
 *       samples carry no `queued`, and it needs BURST_SECONDS, so one spiky second does not count;
 *    c. the panic value needs >= PANIC_THRESHOLD x the current instances.
 *    Panicking, desired goes at once to what the panic value needs, and it never goes down while
 *    panicking. Panic ends STABLE_WINDOW after the last panic-worthy second, when the surge has made
 *    its way into the stable average.
 * 3. Otherwise desired = ceil(stable / (MaxConcurrency x targetUtilization)).
 * 4. At least 1 when the stable window saw any traffic; clamped to [MinSize, MaxSize].
 * 5. Scale-in only after a full stable window was observed, and only once the lower count was
 *    wanted for SCALE_DOWN_DELAY at the same current count; then to the highest count wanted in
 *    that time, and by at most half (MAX_SCALE_DOWN_RATE) per step.
 */
import { AppRunnerError } from "../errors/app-runner-error.js";

/** 60 s: Knative's stable window; long enough to ride out bursts, short enough to follow a trend. */
export const STABLE_WINDOW_SECONDS = 60;
/** 6 s: Knative's panic window (10% of the stable window). */
export const PANIC_WINDOW_SECONDS = 6;
/** 2 s: a step must hold this long before it alone triggers panic (one spiky second does not). */
export const BURST_SECONDS = 2;
/** Panic when the panic value needs at least this many times the current instances (Knative's 200%). */
export const PANIC_THRESHOLD = 2;
/** How long panic lasts after the last panic-worthy second: one stable window. */
export const PANIC_HOLD_MS = STABLE_WINDOW_SECONDS * 1000;
/** A lower desired count must hold this long before instances are removed. */
export const SCALE_DOWN_DELAY_MS = 30_000;
/** Scale-in removes at most half the instances per step (Knative's max-scale-down-rate 2.0). */
export const MAX_SCALE_DOWN_RATE = 2;
/**
 * 0.7: Knative's container-concurrency-target-percentage. App Runner only scales out once an
 * instance is full (MaxConcurrency); aiming at 70% keeps 30% headroom, so load can grow by ~40%
 * while new instances start, without requests queueing behind HAProxy's maxconn.
 */
export const DEFAULT_TARGET_UTILIZATION = 0.7;

/** One service in one second. */
export interface ConcurrencySample {
  /** Whole seconds since the epoch. */
  readonly second: number;
  /** The highest concurrency (in flight + queued) seen in that second. */
  readonly concurrency: number;
  /**
   * The most requests seen waiting in the router's queue during that second (each instance takes
   * MaxConcurrency, the rest wait). Absent or 0: nobody waited (or the source cannot tell), and only
   * the concurrency rules apply.
   */
  readonly queued?: number;
}

export interface ScalingConfig {
  /** MinSize: instances provisioned at least. */
  readonly minSize: number;
  /** MaxSize: instances at most. */
  readonly maxSize: number;
  /** MaxConcurrency: requests one instance takes at once. */
  readonly maxConcurrency: number;
  /** Share of MaxConcurrency aimed at per instance, in (0, 1]; DEFAULT_TARGET_UTILIZATION when absent. */
  readonly targetUtilization?: number;
  /** Stable window in seconds (STABLE_WINDOW_SECONDS); shorter for tests and very bursty services. */
  readonly stableWindowSeconds?: number;
  /** Scale-down delay in ms (SCALE_DOWN_DELAY_MS). */
  readonly scaleDownDelayMs?: number;
}

/** What the decider remembers between calls; start with INITIAL_AUTOSCALER_STATE. */
export interface AutoscalerState {
  /** The first second the decider observed (or had a sample for); earlier seconds are unknown. */
  readonly observedSince?: number;
  /** Panic mode lasts while now < panicUntil (ms). */
  readonly panicUntil?: number;
  /** The highest count wanted during the current panic: panic never scales in. */
  readonly panicMax?: number;
  /** A lower count has been wanted since `since` (ms) while the service had `from` instances; `max` is the highest such want. */
  readonly scaleDown?: { readonly since: number; readonly from: number; readonly max: number };
}

export const INITIAL_AUTOSCALER_STATE: AutoscalerState = Object.freeze({});

export interface DecideInput {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Per-second samples, any order; duplicates of a second count with their maximum. */
  readonly samples: readonly ConcurrencySample[];
  /** Instances the service has now. */
  readonly current: number;
  readonly config: ScalingConfig;
  readonly state: AutoscalerState;
}

export interface Decision {
  /** Instances the service should have; equal to `current` when nothing should change. */
  readonly desired: number;
  readonly state: AutoscalerState;
  /** Why, for logs and service events. */
  readonly reason: string;
}

export function decide(input: DecideInput): Decision {
  const { now, current, config, state } = input;
  validate(config, current);
  const utilization = config.targetUtilization ?? DEFAULT_TARGET_UTILIZATION;
  const stableWindowSeconds = config.stableWindowSeconds ?? STABLE_WINDOW_SECONDS;
  const scaleDownDelayMs = config.scaleDownDelayMs ?? SCALE_DOWN_DELAY_MS;
  const panicHoldMs = stableWindowSeconds * 1000;
  const perInstance = config.maxConcurrency * utilization;
  const nowSecond = Math.floor(now / 1000);

  const bySecond = new Map<number, number>();
  let earliest = nowSecond;
  let queuedNow = 0;
  for (const s of input.samples) {
    if (s.second > nowSecond) continue;
    earliest = Math.min(earliest, s.second);
    if (s.second <= nowSecond - stableWindowSeconds) continue;
    const queued = nonNegative(s.queued);
    // Concurrency counts the queued requests too; max() keeps a sample that says otherwise from
    // reading as fewer requests than are waiting.
    bySecond.set(s.second, Math.max(bySecond.get(s.second) ?? 0, nonNegative(s.concurrency), queued));
    if (s.second === nowSecond) queuedNow = Math.max(queuedNow, queued);
  }
  const observedSince = Math.min(state.observedSince ?? nowSecond, earliest);
  const observedSeconds = nowSecond - observedSince + 1;
  /** The seconds of a window that were observed, newest first. */
  const windowSeconds = (size: number): number[] =>
    Array.from({ length: Math.min(size, observedSeconds) }, (_, i) => nowSecond - i);
  const at = (second: number): number => bySecond.get(second) ?? 0;
  const average = (size: number): number => {
    const seconds = windowSeconds(size);
    return seconds.reduce((sum, s) => sum + at(s), 0) / seconds.length;
  };

  const stable = average(stableWindowSeconds);
  const sustained = Math.min(...windowSeconds(BURST_SECONDS).map(at));
  const waiting = queuedNow > 0;
  const concurrencyNow = at(nowSecond);
  const panicValue = Math.max(average(PANIC_WINDOW_SECONDS), sustained, waiting ? concurrencyNow : 0);
  const stableWant = ceil(stable / perInstance);
  const panicWant = ceil(panicValue / perInstance);
  const overThreshold = panicValue / perInstance >= PANIC_THRESHOLD * Math.max(1, current);
  // App Runner scales out when concurrency exceeds what the instances take; at equality they are
  // full and the next request already queues behind HAProxy's maxconn.
  const full = sustained > 0 && sustained >= current * config.maxConcurrency;
  const anyTraffic = windowSeconds(stableWindowSeconds).some((s) => at(s) > 0);

  const panicUntil = waiting || overThreshold || full ? now + panicHoldMs : state.panicUntil;
  const panicking = panicUntil !== undefined && now < panicUntil;

  let want: number;
  let why: string;
  let panicMax: number | undefined;
  if (panicking) {
    panicMax = Math.max(state.panicMax ?? 0, panicWant, stableWant);
    want = Math.max(panicMax, current);
    const trigger = waiting
      ? `${fmt(queuedNow)} requests waiting for a free instance; concurrency ${fmt(concurrencyNow)} fills ${current} x ${config.maxConcurrency}`
      : full
        ? `concurrency ${fmt(sustained)} over the last ${BURST_SECONDS} s fills ${current} x ${config.maxConcurrency}`
        : overThreshold
          ? `panic concurrency ${fmt(panicValue)} needs >= ${PANIC_THRESHOLD}x the ${current} instance(s)`
          : `holding until ${new Date(panicUntil).toISOString()}`;
    why = `panic (${trigger}): ${fmt(panicValue)} at ${fmt(perInstance)} per instance wants ${panicWant}, never less than ${want} while panicking`;
  } else {
    want = stableWant;
    why = `stable: average concurrency ${fmt(stable)} over ${Math.min(stableWindowSeconds, observedSeconds)} s at ${fmt(perInstance)} per instance wants ${stableWant}`;
  }
  if (anyTraffic && want < 1) {
    want = 1;
    why += "; 1 while there is traffic";
  }
  const target = clamp(want, config);
  if (target !== want) why += `; clamped to [${config.minSize}, ${config.maxSize}]`;

  const base: AutoscalerState = {
    observedSince,
    ...(panicking ? { panicUntil, panicMax } : {}),
  };

  // A MaxSize below the current count applies at once; only autoscaling's own scale-in waits.
  const ceiling = Math.min(current, config.maxSize);
  if (target >= ceiling) {
    return { desired: target, state: base, reason: target === current ? `${why}; keeping ${current}` : `${why} -> ${target}` };
  }

  const sd =
    state.scaleDown && state.scaleDown.from === current
      ? { since: state.scaleDown.since, from: current, max: Math.max(state.scaleDown.max, target) }
      : { since: now, from: current, max: target };
  const next: AutoscalerState = { ...base, scaleDown: sd };
  const waited = now - sd.since;
  if (observedSeconds < stableWindowSeconds) {
    return {
      desired: ceiling,
      state: next,
      reason: `${why}; no scale-in before a full ${stableWindowSeconds} s window is observed (${observedSeconds} s so far)`,
    };
  }
  if (waited < scaleDownDelayMs) {
    return {
      desired: ceiling,
      state: next,
      reason: `${why}; scale-in waits: fewer instances wanted for ${fmt(waited / 1000)} s of ${scaleDownDelayMs / 1000} s`,
    };
  }
  // Half rounded up (10 -> 5, 3 -> 2), so a step never removes more than half; 1 -> 0 only with MinSize 0.
  const floor = current <= 1 ? 0 : Math.ceil(current / MAX_SCALE_DOWN_RATE);
  const desired = Math.min(ceiling, Math.max(sd.max, floor, config.minSize));
  const limited = desired > sd.max ? ` (at most 1/${MAX_SCALE_DOWN_RATE} fewer per step)` : "";
  return {
    desired,
    // The next step waits SCALE_DOWN_DELAY again, counted from now at the new count.
    state: target < desired ? { ...base, scaleDown: { since: now, from: desired, max: target } } : base,
    reason: `${why}; scale-in after ${fmt(waited / 1000)} s below ${current}, highest want ${sd.max} -> ${desired}${limited}`,
  };
}

function validate(config: ScalingConfig, current: number): void {
  const { minSize, maxSize, maxConcurrency, targetUtilization } = config;
  const problems: string[] = [];
  if (!Number.isInteger(minSize) || minSize < 0) problems.push(`minSize ${minSize}`);
  if (!Number.isInteger(maxSize) || maxSize < Math.max(1, minSize)) problems.push(`maxSize ${maxSize}`);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) problems.push(`maxConcurrency ${maxConcurrency}`);
  if (targetUtilization !== undefined && !(targetUtilization > 0 && targetUtilization <= 1)) {
    problems.push(`targetUtilization ${targetUtilization} (must be in (0, 1])`);
  }
  if (!Number.isInteger(current) || current < 0) problems.push(`current ${current}`);
  if (problems.length > 0) {
    throw new AppRunnerError("InternalServiceError", `autoscaler: invalid input: ${problems.join(", ")}`);
  }
}

function clamp(n: number, config: ScalingConfig): number {
  return Math.min(config.maxSize, Math.max(config.minSize, n));
}

/** ceil that ignores floating-point noise (140 / (100 x 0.7) is 2, not 3). */
function ceil(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9));
}

/** NaN, negative and absent values read as 0. */
function nonNegative(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
