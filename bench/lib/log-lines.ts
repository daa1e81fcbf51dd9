/**
 * Synthetic application log lines for bench/logs.ts: 40% JSON (2% of those `"level":"error"`),
 * 60% access-log text (1% of those with ERROR), about 70 bytes each, spread over ~100
 * instance streams and evenly over a time span, oldest first, as a service would write them.
 */
export interface BenchLine {
  stream: string;
  timestamp: number;
  message: string;
}

/** A small deterministic generator, so every run writes the same lines. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS = ["/", "/index.html", "/api/orders", "/api/users/42", "/healthz", "/static/app.js"];

export function makeLines(count: number, streams: number, startMs: number, spanMs: number): BenchLine[] {
  const rnd = lcg(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: BenchLine[] = new Array<BenchLine>(count);
  for (let i = 0; i < count; i++) {
    const timestamp = startMs + Math.floor((i * spanMs) / count);
    const stream = `instance/${String(i % streams).padStart(3, "0")}`;
    const latency = Math.floor(rnd() * 900);
    let message: string;
    if (rnd() < 0.4) {
      const level = rnd() < 0.02 ? "error" : pick(["info", "info", "info", "warn"]);
      message = JSON.stringify({ level, latency, path: pick(PATHS), request_id: (i * 2654435761).toString(16).padStart(12, "0") });
    } else {
      const level = rnd() < 0.01 ? "ERROR" : "INFO";
      const status = level === "ERROR" ? 500 : pick([200, 200, 200, 304, 404]);
      message = `${new Date(timestamp).toISOString()} ${level} ${pick(["GET", "POST"])} ${pick(PATHS)} ${status} ${Math.floor(rnd() * 5000)} ${latency}ms`;
    }
    out[i] = { stream, timestamp, message };
  }
  return out;
}
