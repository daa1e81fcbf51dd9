import type { Clock } from "../../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../../util/periodic-task.js";
import type { ServiceRef } from "./catalog.js";
import type { ServiceUsageRecorder } from "./recorder.js";

/** One service's requests on its instances right now (the router's BackendLoad has this shape). */
export interface InFlight {
  serviceId: string;
  /** Requests being handled by the instances (HAProxy's scur summed over the service's servers). */
  inFlight: number;
}

export interface ConcurrencySamplerOptions {
  /** Every routed service's requests in flight (TrafficRouter.load). */
  load: () => Promise<readonly InFlight[]>;
  /** The service behind an id; undefined once it is gone (nothing is recorded for it then). */
  services: (serviceId: string) => ServiceRef | undefined;
  recorder: Pick<ServiceUsageRecorder, "recordConcurrency">;
  clock: Clock;
  logger: TaskLogger;
  /** Default 1 s: each sample is one more Concurrency sample of its minute. */
  intervalMs?: number;
  timers?: TaskTimers;
}

export const DEFAULT_CONCURRENCY_SAMPLE_MS = 1000;

/**
 * App Runner's Concurrency ("the approximate number of concurrent requests being handled by the
 * service"): every second, the requests in flight on each routed service's instances become one
 * sample, so a minute's Average is its mean concurrency and Maximum its highest sample. Requests
 * waiting in the router's queue are not counted: no instance handles them yet.
 */
export function concurrencySampler(opts: ConcurrencySamplerOptions): PeriodicTask {
  return new PeriodicTask({
    name: "concurrency sample",
    everyMs: opts.intervalMs ?? DEFAULT_CONCURRENCY_SAMPLE_MS,
    run: () => sampleConcurrency(opts),
    logger: opts.logger,
    ...(opts.timers ? { timers: opts.timers } : {}),
  });
}

/** One sample of every routed service; a failing record is logged and does not stop the others. */
export async function sampleConcurrency(opts: ConcurrencySamplerOptions): Promise<void> {
  const loads = await opts.load();
  const second = Math.floor(opts.clock.now() / 1000);
  for (const l of loads) {
    const service = opts.services(l.serviceId);
    if (service === undefined) continue;
    try {
      opts.recorder.recordConcurrency(service, second, l.inFlight);
    } catch (err) {
      opts.logger("recording Concurrency failed", { serviceId: l.serviceId, inFlight: l.inFlight, error: String(err) });
    }
  }
}
