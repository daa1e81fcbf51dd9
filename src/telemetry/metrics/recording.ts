import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ServiceRef } from "./catalog.js";
import { addValue, type Histogram } from "./histogram.js";
import type { PrometheusState } from "./prometheus/state.js";
import type { InstanceReport, MetricsRecorder, RequestReport, SecondSample, ServiceUsageRecorder } from "./recorder.js";
import type { SecondRing } from "./second-ring.js";
import { mergeSets, type StatSet } from "./statistics.js";
import type { MinuteMerge, MetricsStore } from "./store/metrics-store.js";

/** Counters keep one sample per minute: the minute's total so far. */
export const counterMerge =
  (value: number): MinuteMerge =>
  (prior) => {
    const total = (prior?.sum ?? 0) + value;
    return { sum: total, count: 1, min: total, max: total };
  };

/** Gauges and latencies: every report is one more sample (or a set of samples). */
export const sampleMerge =
  (add: StatSet): MinuteMerge =>
  (prior) =>
    prior ? mergeSets(prior, add) : add;

export const gaugeSet = (value: number): StatSet => ({ sum: value, count: 1, min: value, max: value });

export function latencySet(latenciesMs: readonly number[]): StatSet | undefined {
  if (latenciesMs.length === 0) return undefined;
  const hist: Histogram = new Map();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const ms of latenciesMs) {
    sum += ms;
    min = Math.min(min, ms);
    max = Math.max(max, ms);
    addValue(hist, ms);
  }
  return { sum, count: latenciesMs.length, min, max, hist };
}

/** A data-plane bug (NaN, negative counts) fails loudly instead of poisoning stored minutes. */
function checkNumbers(what: string, values: Record<string, number | undefined>): void {
  for (const [name, v] of Object.entries(values)) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
      throw new AppRunnerError("InvalidRequest", `${what}: ${name} must be a finite number >= 0, got ${v}.`);
    }
  }
}

const minuteOf = (second: number): number => Math.floor(second / 60);

/** The recorder the module exposes: each report goes to metrics.db, the per-second ring and /metrics. */
export class Recorder implements MetricsRecorder, ServiceUsageRecorder {
  constructor(
    private readonly store: MetricsStore,
    private readonly ring: SecondRing,
    private readonly prometheus: PrometheusState,
  ) {}

  recordRequests(service: ServiceRef, second: number, report: RequestReport): void {
    const { requests, status2xx, status4xx, status5xx, maxConcurrency } = report;
    checkNumbers("recordRequests", { second, requests, status2xx, status4xx, status5xx, maxConcurrency });
    if (report.latenciesMs.some((ms) => !Number.isFinite(ms) || ms < 0)) {
      throw new AppRunnerError("InvalidRequest", "recordRequests: every latency must be a finite number >= 0.");
    }
    const latency = latencySet(report.latenciesMs);
    this.store.record({ ...service, instance: "" }, minuteOf(second), [
      { metric: "Requests", merge: counterMerge(requests) },
      { metric: "2xxStatusResponses", merge: counterMerge(status2xx) },
      { metric: "4xxStatusResponses", merge: counterMerge(status4xx) },
      { metric: "5xxStatusResponses", merge: counterMerge(status5xx) },
      ...(latency ? [{ metric: "RequestLatency", merge: sampleMerge(latency) }] : []),
    ]);
    this.ring.update(service.serviceId, second, (s: SecondSample) => {
      s.requests += requests;
      s.status2xx += status2xx;
      s.status4xx += status4xx;
      s.status5xx += status5xx;
      s.latencySumMs += latency?.sum ?? 0;
      s.latencyCount += latency?.count ?? 0;
      s.maxConcurrency = Math.max(s.maxConcurrency, maxConcurrency ?? 0);
    });
    this.prometheus.onRequests(service, report);
  }

  recordActiveInstances(service: ServiceRef, second: number, count: number): void {
    checkNumbers("recordActiveInstances", { second, count });
    this.store.record({ ...service, instance: "" }, minuteOf(second), [{ metric: "ActiveInstances", merge: sampleMerge(gaugeSet(count)) }]);
    this.ring.update(service.serviceId, second, (s) => {
      s.activeInstances = count;
    });
    this.prometheus.onActiveInstances(service, count);
  }

  recordInstance(service: ServiceRef, instance: string, second: number, report: InstanceReport): void {
    checkNumbers("recordInstance", { second, cpuPercent: report.cpuPercent, memoryPercent: report.memoryPercent });
    if (instance === "") throw new AppRunnerError("InvalidRequest", "recordInstance: the instance id must not be empty.");
    this.store.record({ ...service, instance }, minuteOf(second), [
      { metric: "CPUUtilization", merge: sampleMerge(gaugeSet(report.cpuPercent)) },
      { metric: "MemoryUtilization", merge: sampleMerge(gaugeSet(report.memoryPercent)) },
    ]);
    this.prometheus.onInstance(service, instance, second, report);
  }

  recordServiceUsage(service: ServiceRef, second: number, report: InstanceReport): void {
    checkNumbers("recordServiceUsage", { second, cpuPercent: report.cpuPercent, memoryPercent: report.memoryPercent });
    this.store.record({ ...service, instance: "" }, minuteOf(second), [
      { metric: "CPUUtilization", merge: sampleMerge(gaugeSet(report.cpuPercent)) },
      { metric: "MemoryUtilization", merge: sampleMerge(gaugeSet(report.memoryPercent)) },
    ]);
  }

  recordConcurrency(service: ServiceRef, second: number, concurrency: number): void {
    checkNumbers("recordConcurrency", { second, concurrency });
    this.store.record({ ...service, instance: "" }, minuteOf(second), [{ metric: "Concurrency", merge: sampleMerge(gaugeSet(concurrency)) }]);
    this.prometheus.onConcurrency(service, concurrency);
  }

  recentSeconds(serviceId: string, nowSecond: number, seconds: number): SecondSample[] {
    return this.ring.recent(serviceId, nowSecond, seconds);
  }
}
