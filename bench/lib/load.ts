import { performance } from "node:perf_hooks";
import { summarize, type LatencySummary } from "./stats.js";

export interface LoadOptions {
  /** Requests in flight at once (closed loop: each worker sends its next request when the last returns). */
  concurrency: number;
  /** Total requests; the loop ends after exactly this many, so every run is bounded. */
  requests: number;
  /** Fail the phase after this many errors rather than measure a broken server. */
  maxErrors?: number;
}

/**
 * Runs `call(i)` `requests` times with `concurrency` workers and records each call's latency
 * as the caller sees it (SDK serialization + signing + HTTP + server + deserialization).
 */
export async function runLoad(call: (i: number) => Promise<unknown>, opts: LoadOptions): Promise<LatencySummary> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const maxErrors = opts.maxErrors ?? 10;
  const worker = async (): Promise<void> => {
    while (next < opts.requests && errors < maxErrors) {
      const i = next++;
      const start = performance.now();
      try {
        await call(i);
        latencies.push(performance.now() - start);
      } catch (err) {
        errors++;
        firstError ??= err;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const wall = performance.now() - started;
  if (errors >= maxErrors) {
    throw new Error(`stopped after ${errors} errors; first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  }
  return summarize(latencies, errors, wall);
}
