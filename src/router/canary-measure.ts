import type { VersionMeasurement } from "./types.js";

/** Longer than any rollout window (1 h): older responses are dropped. */
const KEEP_MS = 3_600_000;
/** Per service: the request log is sampled above a few hundred requests a second anyway. */
const MAX_SAMPLES = 50_000;

interface Sample {
  at: number;
  status: number;
  totalMs: number;
}

/**
 * The new version's responses during a gradual rollout, from the request log lines of its
 * backend (`c_<serviceId>`, traffic-split.ts): the data plane's own record of what clients got.
 * Above LOGGED_REQUESTS_PER_SECOND a service's lines are a random sample, so counts are of the
 * sample and the rate and p99 stay what they are.
 */
export class CanaryMeasurements {
  private readonly byService = new Map<string, Sample[]>();

  constructor(private readonly now: () => number) {}

  /** One response of a service's new version (`%ST`, `%Ta`; a negative time when none was measured). */
  record(serviceId: string, status: number, totalMs: number): void {
    let list = this.byService.get(serviceId);
    if (!list) this.byService.set(serviceId, (list = []));
    list.push({ at: this.now(), status, totalMs });
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  }

  /** Requests, 5xx and p99 of the last `windowMs`. Pure over what was recorded. */
  measure(serviceId: string, windowMs: number): VersionMeasurement {
    const now = this.now();
    const list = this.byService.get(serviceId) ?? [];
    const firstKept = list.findIndex((s) => s.at >= now - KEEP_MS);
    if (firstKept > 0) list.splice(0, firstKept);
    else if (firstKept < 0) list.length = 0;
    const inWindow = list.filter((s) => s.at >= now - windowMs);
    const times = inWindow.filter((s) => s.totalMs >= 0).map((s) => s.totalMs).sort((a, b) => a - b);
    const out: VersionMeasurement = { requests: inWindow.length, errors5xx: inWindow.filter((s) => s.status >= 500 && s.status < 600).length };
    if (times.length > 0) out.p99Ms = times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] ?? 0;
    return out;
  }
}
