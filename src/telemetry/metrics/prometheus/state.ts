import type { ServiceRef } from "../catalog.js";
import type { InstanceReport, RequestReport } from "../recorder.js";

/** Prometheus' default buckets, in seconds: what dashboards built for other services expect. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface ServiceCounters {
  ref: ServiceRef;
  requests: number;
  responses: { "2xx": number; "4xx": number; "5xx": number };
  /** Per bucket (not cumulative) counts; the last slot is +Inf. */
  latencyBuckets: number[];
  latencySumSeconds: number;
  latencyCount: number;
  activeInstances: number | undefined;
  /** The last Concurrency sample. */
  concurrency: number | undefined;
}

export interface InstanceGauges {
  ref: ServiceRef;
  instance: string;
  cpuPercent: number;
  memoryPercent: number;
  second: number;
}

export interface ApiCallCounter {
  api: string;
  operation: string;
  error: string;
  count: number;
}

/**
 * What GET /metrics shows: counters since this process started (Prometheus expects resets on
 * restart and handles them), so they live in memory and cost nothing to render.
 */
export class PrometheusState {
  readonly services = new Map<string, ServiceCounters>();
  readonly instances = new Map<string, InstanceGauges>();
  readonly apiCalls = new Map<string, ApiCallCounter>();

  onRequests(ref: ServiceRef, report: RequestReport): void {
    const c = this.service(ref);
    c.requests += report.requests;
    c.responses["2xx"] += report.status2xx;
    c.responses["4xx"] += report.status4xx;
    c.responses["5xx"] += report.status5xx;
    for (const ms of report.latenciesMs) {
      const seconds = ms / 1000;
      const i = LATENCY_BUCKETS_SECONDS.findIndex((le) => seconds <= le);
      const slot = i < 0 ? LATENCY_BUCKETS_SECONDS.length : i;
      c.latencyBuckets[slot] = (c.latencyBuckets[slot] ?? 0) + 1;
      c.latencySumSeconds += seconds;
      c.latencyCount += 1;
    }
  }

  onActiveInstances(ref: ServiceRef, count: number): void {
    this.service(ref).activeInstances = count;
  }

  onConcurrency(ref: ServiceRef, concurrency: number): void {
    this.service(ref).concurrency = concurrency;
  }

  onInstance(ref: ServiceRef, instance: string, second: number, report: InstanceReport): void {
    const key = `${ref.serviceId}\u0000${instance}`;
    const prior = this.instances.get(key);
    if (prior && prior.second > second) return;
    this.instances.set(key, { ref, instance, cpuPercent: report.cpuPercent, memoryPercent: report.memoryPercent, second });
  }

  onApiCall(api: string, operation: string, error: string): void {
    const key = `${api}\u0000${operation}\u0000${error}`;
    const c = this.apiCalls.get(key) ?? { api, operation, error, count: 0 };
    c.count += 1;
    this.apiCalls.set(key, c);
  }

  private service(ref: ServiceRef): ServiceCounters {
    let c = this.services.get(ref.serviceId);
    if (!c) {
      c = {
        ref,
        requests: 0,
        responses: { "2xx": 0, "4xx": 0, "5xx": 0 },
        latencyBuckets: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0),
        latencySumSeconds: 0,
        latencyCount: 0,
        activeInstances: undefined,
        concurrency: undefined,
      };
      this.services.set(ref.serviceId, c);
    }
    return c;
  }
}
