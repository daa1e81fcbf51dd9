import type { ServiceRef } from "../../telemetry/metrics/catalog.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "../../telemetry/metrics/recorder.js";
import type { Clock } from "../../util/clock.js";
import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import { containerUsage } from "../../executor/container.js";
import type { ContainerRef, ContainerUsage } from "../../executor/types.js";

/** One running instance as the sampler needs it (the driver's live instances, with their plan's limits). */
export interface SampledInstance {
  instanceId: string;
  serviceId: string;
  /** Absent when its usage cannot be read from here (a Swarm task on another node): it still counts in ActiveInstances. */
  containerRef?: ContainerRef;
  /** Configured vCPU in millicores (1 vCPU = 1000): CPUUtilization is relative to it. */
  cpuMillicores: number;
  /** Configured memory: MemoryUtilization is relative to it. */
  memoryBytes: number;
}

export interface UsageSamplerOptions {
  /** The instances serving right now; their count per service is ActiveInstances. */
  instances: () => readonly SampledInstance[];
  /** The service an instance belongs to; undefined once it is gone (nothing is recorded for it then). */
  services: (serviceId: string) => ServiceRef | undefined;
  recorder: Pick<MetricsRecorder, "recordInstance" | "recordActiveInstances"> & Pick<ServiceUsageRecorder, "recordServiceUsage">;
  clock: Clock;
  /** Default 10 s. */
  intervalMs?: number;
  /** Tests: the sampling timers (Node's by default). */
  timers?: TaskTimers;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Reads one container's cgroup counters (default: containerUsage); tests inject a fake. */
  usage?: (ref: ContainerRef) => Promise<ContainerUsage>;
}

interface CpuReading {
  /** clock.now() of the reading. */
  at: number;
  cpuNanos: number;
}

const clampPercent = (v: number): number => (v < 0 ? 0 : v > 100 ? 100 : v);

/** One service's instances added up in a sample: what was used and what was reserved. */
interface ServiceTotals {
  cpuUsedMillicores: number;
  cpuMillicores: number;
  memoryUsedBytes: number;
  memoryBytes: number;
}

/**
 * Samples CPUUtilization and MemoryUtilization of every instance from its cgroup, the same two
 * for each service (its instances' use over what they reserve, as App Runner aggregates them),
 * and ActiveInstances of every service, every `intervalMs`. CPU is the share of the configured
 * vCPU used since the previous sample, so an instance's first sample only sets the baseline (it
 * is recorded from the second sample on).
 */
export class UsageSampler {
  private readonly previous = new Map<string, CpuReading>();
  /** Services that had instances at the last sample: they get one ActiveInstances 0 when their last instance goes. */
  private reportedServices = new Set<string>();
  private readonly task: PeriodicTask;
  private readonly readUsage: (ref: ContainerRef) => Promise<ContainerUsage>;

  constructor(private readonly opts: UsageSamplerOptions) {
    this.readUsage = opts.usage ?? containerUsage;
    // A slow sample (many instances, a busy disk) is not overlapped by the next one.
    this.task = new PeriodicTask({
      name: "usage sample",
      everyMs: opts.intervalMs ?? 10_000,
      firstRunMs: 0,
      run: () => this.sampleOnce(),
      logger: opts.logger,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
  }

  /** Samples now (setting the CPU baselines), then every intervalMs. */
  start(): void {
    this.task.start();
  }

  /** Stops the schedule and waits for a sample in progress. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One sample of every instance; per-instance failures are logged and do not stop the others. */
  async sampleOnce(): Promise<void> {
    const { recorder, logger } = this.opts;
    const at = this.opts.clock.now();
    const second = Math.floor(at / 1000);
    const instances = this.opts.instances();
    const readings = await Promise.allSettled(instances.map((i) => (i.containerRef ? this.readUsage(i.containerRef) : Promise.resolve(undefined))));

    const active = new Map<string, number>();
    const totals = new Map<string, ServiceTotals>();
    const seen = new Set<string>();
    for (let k = 0; k < instances.length; k++) {
      const inst = instances[k];
      const reading = readings[k];
      if (inst === undefined || reading === undefined) continue;
      active.set(inst.serviceId, (active.get(inst.serviceId) ?? 0) + 1);
      seen.add(inst.instanceId);
      if (reading.status === "rejected") {
        // Usually an instance that ended between the listing and the read; its baseline goes with it.
        this.previous.delete(inst.instanceId);
        logger("reading an instance's usage failed", {
          instanceId: inst.instanceId,
          serviceId: inst.serviceId,
          error: String(reading.reason),
        });
        continue;
      }
      const usage = reading.value;
      if (usage === undefined) continue;
      const prev = this.previous.get(inst.instanceId);
      this.previous.set(inst.instanceId, { at, cpuNanos: usage.cpuNanos });
      if (prev === undefined) continue; // the baseline
      if (usage.cpuNanos < prev.cpuNanos || at <= prev.at) {
        // A recreated cgroup (counters restarted) or a clock that did not move: a new baseline.
        logger("instance CPU counter went back; sampling from a new baseline", {
          instanceId: inst.instanceId,
          previousNanos: prev.cpuNanos,
          cpuNanos: usage.cpuNanos,
          elapsedMs: at - prev.at,
        });
        continue;
      }
      if (!(inst.cpuMillicores > 0) || !(inst.memoryBytes > 0)) {
        logger("instance has no configured CPU or memory; not sampled", {
          instanceId: inst.instanceId,
          cpuMillicores: inst.cpuMillicores,
          memoryBytes: inst.memoryBytes,
        });
        continue;
      }
      const service = this.opts.services(inst.serviceId);
      if (service === undefined) continue; // deleted meanwhile: its instances are on their way out
      // ns of CPU / (ms elapsed * 1e6 ns/ms * vCPUs) = the fraction of the configured vCPU used.
      const cpuPercent = clampPercent(((usage.cpuNanos - prev.cpuNanos) / ((at - prev.at) * 1e6 * (inst.cpuMillicores / 1000))) * 100);
      const memoryPercent = clampPercent((usage.memoryBytes / inst.memoryBytes) * 100);
      try {
        recorder.recordInstance(service, inst.instanceId, second, { cpuPercent, memoryPercent });
      } catch (err) {
        logger("recording an instance's usage failed", { instanceId: inst.instanceId, serviceId: inst.serviceId, error: String(err) });
      }
      const t = totals.get(inst.serviceId) ?? { cpuUsedMillicores: 0, cpuMillicores: 0, memoryUsedBytes: 0, memoryBytes: 0 };
      t.cpuUsedMillicores += (cpuPercent / 100) * inst.cpuMillicores;
      t.cpuMillicores += inst.cpuMillicores;
      t.memoryUsedBytes += (memoryPercent / 100) * inst.memoryBytes;
      t.memoryBytes += inst.memoryBytes;
      totals.set(inst.serviceId, t);
    }
    for (const id of this.previous.keys()) if (!seen.has(id)) this.previous.delete(id);
    this.recordServices(second, totals);

    for (const serviceId of this.reportedServices) if (!active.has(serviceId)) active.set(serviceId, 0);
    const reported = new Set<string>();
    for (const [serviceId, count] of active) {
      const service = this.opts.services(serviceId);
      if (service === undefined) continue;
      try {
        recorder.recordActiveInstances(service, second, count);
      } catch (err) {
        logger("recording ActiveInstances failed", { serviceId, count, error: String(err) });
      }
      if (count > 0) reported.add(serviceId);
    }
    this.reportedServices = reported;
  }

  /** Each service's instances together: App Runner's service-level CPUUtilization and MemoryUtilization. */
  private recordServices(second: number, totals: ReadonlyMap<string, ServiceTotals>): void {
    for (const [serviceId, t] of totals) {
      const service = this.opts.services(serviceId);
      if (service === undefined) continue;
      const report = {
        cpuPercent: clampPercent((t.cpuUsedMillicores / t.cpuMillicores) * 100),
        memoryPercent: clampPercent((t.memoryUsedBytes / t.memoryBytes) * 100),
      };
      try {
        this.opts.recorder.recordServiceUsage(service, second, report);
      } catch (err) {
        this.opts.logger("recording a service's usage failed", { serviceId, error: String(err) });
      }
    }
  }
}
