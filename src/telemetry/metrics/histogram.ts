/**
 * A small log-scale histogram of latencies (milliseconds), kept per minute so percentiles can be
 * computed over any number of minutes by adding bucket counts. Bucket i > 0 holds values in
 * (FLOOR * GROWTH^(i-1), FLOOR * GROWTH^i]; bucket 0 holds everything at or below FLOOR. With
 * eight buckets per doubling an estimate is within about 4.5% of the true value, and a busy
 * minute still has only a few dozen non-empty buckets, so it stores as a short JSON object.
 */
export type Histogram = Map<number, number>;

const FLOOR_MS = 0.01;
const GROWTH = 2 ** (1 / 8);
const LOG_GROWTH = Math.log(GROWTH);
/** 0.01 ms * 2^(400/8) is far beyond any latency; a clamp keeps a bad sample from making huge indexes. */
const MAX_INDEX = 400;

export function bucketOf(valueMs: number): number {
  if (!(valueMs > FLOOR_MS)) return 0;
  // The epsilon keeps exact bucket bounds (FLOOR * GROWTH^i) in bucket i despite rounding.
  const i = Math.ceil(Math.log(valueMs / FLOOR_MS) / LOG_GROWTH - 1e-9);
  return Math.min(Math.max(i, 1), MAX_INDEX);
}

export const bucketUpper = (i: number): number => FLOOR_MS * GROWTH ** i;
const bucketLower = (i: number): number => (i === 0 ? 0 : FLOOR_MS * GROWTH ** (i - 1));

export function addValue(h: Histogram, valueMs: number, times = 1): void {
  const b = bucketOf(valueMs);
  h.set(b, (h.get(b) ?? 0) + times);
}

export function mergeInto(into: Histogram, from: Histogram): void {
  for (const [b, n] of from) into.set(b, (into.get(b) ?? 0) + n);
}

/**
 * The value at percentile p (0..100): the geometric middle of the bucket where the rank falls,
 * clamped to the observed min and max (so a minute of identical latencies answers exactly).
 */
export function percentile(h: Histogram, p: number, min: number, max: number): number | undefined {
  let total = 0;
  for (const n of h.values()) total += n;
  if (total === 0) return undefined;
  if (p <= 0) return min;
  if (p >= 100) return max;
  const rank = (p / 100) * total;
  let seen = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b) ?? 0;
    if (seen >= rank) {
      const lower = bucketLower(b);
      const mid = lower === 0 ? bucketUpper(b) / 2 : Math.sqrt(lower * bucketUpper(b));
      return Math.min(Math.max(mid, min), max);
    }
  }
  return max;
}

/** `{"bucket":count,...}`: the stored form. */
export const encodeHistogram = (h: Histogram): string => JSON.stringify(Object.fromEntries(h));

export function decodeHistogram(text: string | null | undefined): Histogram {
  const h: Histogram = new Map();
  if (!text) return h;
  const parsed = JSON.parse(text) as Record<string, number>;
  for (const [k, v] of Object.entries(parsed)) h.set(Number(k), v);
  return h;
}
