import type { ServiceRef } from "../../telemetry/metrics/catalog.js";
import type { MetricsRecorder } from "../../telemetry/metrics/recorder.js";
import type { Clock } from "../../util/clock.js";
import { containerUsage } from "./container.js";
import type { ContainerRef, ContainerUsage } from "./types.js";

/** One running instance as the sampler needs it (the driver's live instances, with their plan's limits). */
export interface SampledInstance {
  instanceId: string;
  serviceId: string;
  containerRef: ContainerRef;
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
  recorder: MetricsRecorder;
  clock: Clock;
  /** Default 10 s. */
  intervalMs?: number;
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

/**
 * Samples CPUUtilization and MemoryUtilization of every instance from its cgroup, and
 * ActiveInstances of every service, every `intervalMs`. CPU is the share of the configured vCPU
 * used since the previous sample, so an instance's first sample only sets the baseline (it is
 * recorded from the second sample on).
 */
export class UsageSampler {
  private readonly previous = new Map<string, CpuReading>();
  /** Services that had instances at the last sample: they get one ActiveInstances 0 when their last instance goes. */
  private reportedServices = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly readUsage: (ref: ContainerRef) => Promise<ContainerUsage>;

  constructor(private readonly opts: UsageSamplerOptions) {
    this.readUsage = opts.usage ?? containerUsage;
  }

  /** Samples now (setting the CPU baselines), then every intervalMs. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs ?? 10_000);
    this.timer.unref();
    this.tick();
  }

  /** Stops the timer and waits for a sample in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    // A slow sample (many instances, a busy disk) is not overlapped by the next one.
    if (this.running) return;
    this.running = this.sampleOnce()
      .catch((err: unknown) => this.opts.logger("usage sample failed", { error: String(err) }))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** One sample of every instance; per-instance failures are logged and do not stop the others. */
  async sampleOnce(): Promise<void> {
    const { recorder, logger } = this.opts;
    const at = this.opts.clock.now();
    const second = Math.floor(at / 1000);
    const instances = this.opts.instances();
    const readings = await Promise.allSettled(instances.map((i) => this.readUsage(i.containerRef)));

    const active = new Map<string, number>();
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
    }
    for (const id of this.previous.keys()) if (!seen.has(id)) this.previous.delete(id);

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
}
