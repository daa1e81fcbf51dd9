import { LATENCY_BUCKETS_SECONDS, type PrometheusState } from "./state.js";

/** Exposition format 0.0.4: `\`, `"` and newlines escaped in label values. */
export const escapeLabel = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

const labels = (pairs: Record<string, string>): string => {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
  return body ? `{${body}}` : "";
};

class Lines {
  readonly out: string[] = [];
  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, pairs: Record<string, string>, value: number): void {
    this.out.push(`${name}${labels(pairs)} ${formatValue(value)}`);
  }
}

export interface ProcessFacts {
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  residentBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  startTimeSeconds: number;
}

/** Reads this process' own usage; cheap enough to do on every scrape. */
export function processFacts(): ProcessFacts {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    residentBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    startTimeSeconds: Math.round(Date.now() / 1000 - process.uptime()),
  };
}

/**
 * The whole scrape. Instance gauges older than `staleBeforeSecond` are left out, so an
 * instance that has gone away stops being reported instead of freezing at its last value.
 */
export function renderPrometheus(state: PrometheusState, facts: ProcessFacts, staleBeforeSecond: number): string {
  const l = new Lines();
  const services = [...state.services.values()];
  const svc = (c: (typeof services)[number]): Record<string, string> => ({ service_name: c.ref.serviceName, service_id: c.ref.serviceId });

  l.family("openrunner_requests_total", "counter", "HTTP requests a service received (App Runner's Requests metric).");
  for (const c of services) l.sample("openrunner_requests_total", svc(c), c.requests);

  l.family("openrunner_responses_total", "counter", "HTTP responses a service returned, by status class.");
  for (const c of services) {
    for (const code of ["2xx", "4xx", "5xx"] as const) l.sample("openrunner_responses_total", { ...svc(c), code }, c.responses[code]);
  }

  l.family("openrunner_request_latency_seconds", "histogram", "Time a service took to answer requests (App Runner's RequestLatency).");
  for (const c of services) {
    let cumulative = 0;
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += c.latencyBuckets[i] ?? 0;
      l.sample("openrunner_request_latency_seconds_bucket", { ...svc(c), le: String(le) }, cumulative);
    });
    l.sample("openrunner_request_latency_seconds_bucket", { ...svc(c), le: "+Inf" }, c.latencyCount);
    l.sample("openrunner_request_latency_seconds_sum", svc(c), c.latencySumSeconds);
    l.sample("openrunner_request_latency_seconds_count", svc(c), c.latencyCount);
  }

  l.family("openrunner_active_instances", "gauge", "Instances serving a service (App Runner's ActiveInstances).");
  for (const c of services) if (c.activeInstances !== undefined) l.sample("openrunner_active_instances", svc(c), c.activeInstances);

  l.family("openrunner_concurrency", "gauge", "Requests a service's instances were handling at the last sample (App Runner's Concurrency).");
  for (const c of services) if (c.concurrency !== undefined) l.sample("openrunner_concurrency", svc(c), c.concurrency);

  const instances = [...state.instances.values()].filter((i) => i.second >= staleBeforeSecond);
  const inst = (i: (typeof instances)[number]): Record<string, string> => ({
    service_name: i.ref.serviceName,
    service_id: i.ref.serviceId,
    instance: i.instance,
  });
  l.family("openrunner_instance_cpu_utilization_percent", "gauge", "Last reported CPU use of an instance (CPUUtilization).");
  for (const i of instances) l.sample("openrunner_instance_cpu_utilization_percent", inst(i), i.cpuPercent);
  l.family("openrunner_instance_memory_utilization_percent", "gauge", "Last reported memory use of an instance (MemoryUtilization).");
  for (const i of instances) l.sample("openrunner_instance_memory_utilization_percent", inst(i), i.memoryPercent);

  l.family("openrunner_api_calls_total", "counter", "Control-plane API calls, by API, operation and error code (empty on success).");
  for (const c of state.apiCalls.values()) l.sample("openrunner_api_calls_total", { api: c.api, operation: c.operation, error: c.error }, c.count);

  l.family("process_cpu_user_seconds_total", "counter", "User CPU time of the control plane process.");
  l.sample("process_cpu_user_seconds_total", {}, facts.cpuUserSeconds);
  l.family("process_cpu_system_seconds_total", "counter", "System CPU time of the control plane process.");
  l.sample("process_cpu_system_seconds_total", {}, facts.cpuSystemSeconds);
  l.family("process_cpu_seconds_total", "counter", "Total CPU time of the control plane process.");
  l.sample("process_cpu_seconds_total", {}, facts.cpuUserSeconds + facts.cpuSystemSeconds);
  l.family("process_resident_memory_bytes", "gauge", "Resident memory of the control plane process.");
  l.sample("process_resident_memory_bytes", {}, facts.residentBytes);
  l.family("process_start_time_seconds", "gauge", "When the control plane process started, seconds since the epoch.");
  l.sample("process_start_time_seconds", {}, facts.startTimeSeconds);
  l.family("nodejs_heap_size_used_bytes", "gauge", "V8 heap in use.");
  l.sample("nodejs_heap_size_used_bytes", {}, facts.heapUsedBytes);
  l.family("nodejs_heap_size_total_bytes", "gauge", "V8 heap reserved.");
  l.sample("nodejs_heap_size_total_bytes", {}, facts.heapTotalBytes);
  return `${l.out.join("\n")}\n`;
}
