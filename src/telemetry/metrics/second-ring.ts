import type { SecondSample } from "./recorder.js";

/** Five minutes: more than any scaling decision looks back, little memory per service. */
export const RING_SECONDS = 300;

const empty = (second: number): SecondSample => ({
  second,
  requests: 0,
  status2xx: 0,
  status4xx: 0,
  status5xx: 0,
  latencySumMs: 0,
  latencyCount: 0,
  maxConcurrency: 0,
  activeInstances: undefined,
});

/**
 * Per-second samples of each service in fixed rings (slot = second mod size), for the
 * autoscaler, which needs seconds, not minutes, and must not wait for SQLite. Reports for the
 * same second add up; a slot holding an older second is reused.
 */
export class SecondRing {
  private readonly rings = new Map<string, (SecondSample | undefined)[]>();

  constructor(private readonly size = RING_SECONDS) {}

  update(serviceId: string, second: number, change: (s: SecondSample) => void): void {
    let ring = this.rings.get(serviceId);
    if (!ring) {
      ring = new Array<SecondSample | undefined>(this.size).fill(undefined);
      this.rings.set(serviceId, ring);
    }
    const slot = ((second % this.size) + this.size) % this.size;
    let sample = ring[slot];
    if (!sample || sample.second !== second) {
      // A report older than what the slot holds is outside the window; dropping it is right.
      if (sample && sample.second > second) return;
      sample = empty(second);
      ring[slot] = sample;
    }
    change(sample);
  }

  recent(serviceId: string, nowSecond: number, seconds: number): SecondSample[] {
    const ring = this.rings.get(serviceId);
    if (!ring) return [];
    const from = nowSecond - Math.min(seconds, this.size);
    return ring
      .filter((s): s is SecondSample => s !== undefined && s.second > from && s.second <= nowSecond)
      .sort((a, b) => a.second - b.second)
      .map((s) => ({ ...s }));
  }
}
