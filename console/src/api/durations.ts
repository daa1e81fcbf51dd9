const UNITS: Record<string, string> = { ms: "ms", s: "s", m: "min", h: "h" };

/**
 * How the console says a duration as a tag wrote it (`15m`, `2s`, `800ms`, a bare `30`):
 * "15 min", "2 s", "800 ms", and a bare number in `bareUnit`. Undefined for anything else
 * (the server refused it, so it is never stored).
 */
export function durationLabel(raw: string, bareUnit: "ms" | "s"): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim().toLowerCase());
  if (!m) return undefined;
  return `${m[1]} ${UNITS[m[2] ?? bareUnit] ?? bareUnit}`;
}

/** 60000 → "1 min", 15000 → "15 s", 800 → "800 ms", 3600000 → "1 h" (whole units where they fit). */
export function millisLabel(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms)} ms`;
}
