import type { ServiceRef } from "./catalog.js";

/** What the data plane's router saw for one service in one second. */
export interface RequestReport {
  /** Requests that completed in this second. */
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  /** How long each of those requests took, in milliseconds (the RequestLatency samples). */
  latenciesMs: readonly number[];
  /** The most requests in flight at once during the second: what the autoscaler compares with MaxConcurrency. */
  maxConcurrency?: number;
}

/** One instance's usage, sampled by the runtime. */
export interface InstanceReport {
  /** 0..100 of the instance's configured vCPU. */
  cpuPercent: number;
  /** 0..100 of the instance's configured memory. */
  memoryPercent: number;
}

/** One second of one service as the autoscaler reads it. */
export interface SecondSample {
  second: number;
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  latencySumMs: number;
  latencyCount: number;
  maxConcurrency: number;
  /** The last ActiveInstances report in the second, if any. */
  activeInstances: number | undefined;
}

/**
 * How the data plane reports metrics. `second` is whole seconds since the epoch (the second the
 * observation belongs to); minutes for CloudWatch are derived from it.
 */
export interface MetricsRecorder {
  recordRequests(service: ServiceRef, second: number, report: RequestReport): void;
  /** ActiveInstances: instances serving the service right now (a gauge, sampled as often as wanted). */
  recordActiveInstances(service: ServiceRef, second: number, count: number): void;
  recordInstance(service: ServiceRef, instance: string, second: number, report: InstanceReport): void;
  /** Seconds in (nowSecond - seconds, nowSecond] that had reports, oldest first (kept in memory only). */
  recentSeconds(serviceId: string, nowSecond: number, seconds: number): SecondSample[];
}

/**
 * What the runtime samples for a whole service beyond the router's requests (App Runner's
 * service-level CPUUtilization, MemoryUtilization and Concurrency). Apart from MetricsRecorder so
 * the router, which only reports requests, needs nothing of it.
 */
export interface ServiceUsageRecorder {
  /** The service's instances together: CPU used / vCPU reserved, memory used / memory reserved (0..100). */
  recordServiceUsage(service: ServiceRef, second: number, report: InstanceReport): void;
  /** Requests being handled by the service's instances right now (a gauge, sampled as often as wanted). */
  recordConcurrency(service: ServiceRef, second: number, concurrency: number): void;
}
