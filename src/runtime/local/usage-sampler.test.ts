import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServiceRef } from "../../telemetry/metrics/catalog.js";
import type { InstanceReport, MetricsRecorder, RequestReport, SecondSample, ServiceUsageRecorder } from "../../telemetry/metrics/recorder.js";
import { ManualClock } from "../../util/clock.js";
import type { ContainerRef, ContainerUsage } from "../../executor/types.js";
import { UsageSampler, type SampledInstance } from "./usage-sampler.js";

const GiB = 1024 ** 3;
const web: ServiceRef = { serviceName: "web", serviceId: "a".repeat(32) };
const api: ServiceRef = { serviceName: "api", serviceId: "b".repeat(32) };

const instance = (instanceId: string, service: ServiceRef, cpuMillicores = 1000, memoryBytes = 2 * GiB): SampledInstance => ({
  instanceId,
  serviceId: service.serviceId,
  containerRef: { containerId: `or-${instanceId}`, dir: `/tmp/${instanceId}`, cgroupsPath: `/or/${instanceId}` },
  cpuMillicores,
  memoryBytes,
});

class FakeRecorder implements MetricsRecorder, ServiceUsageRecorder {
  readonly instance: Array<{ service: string; instance: string; second: number; report: InstanceReport }> = [];
  readonly service: Array<{ service: string; second: number; report: InstanceReport }> = [];
  readonly active: Array<{ service: string; second: number; count: number }> = [];
  recordRequests(_service: ServiceRef, _second: number, _report: RequestReport): void {}
  recordActiveInstances(service: ServiceRef, second: number, count: number): void {
    this.active.push({ service: service.serviceName, second, count });
  }
  recordInstance(service: ServiceRef, instance: string, second: number, report: InstanceReport): void {
    this.instance.push({ service: service.serviceName, instance, second, report });
  }
  recordServiceUsage(service: ServiceRef, second: number, report: InstanceReport): void {
    this.service.push({ service: service.serviceName, second, report });
  }
  recordConcurrency(_service: ServiceRef, _second: number, _concurrency: number): void {}
  recentSeconds(_serviceId: string, _nowSecond: number, _seconds: number): SecondSample[] {
    return [];
  }
  clear(): void {
    this.instance.length = 0;
    this.service.length = 0;
    this.active.length = 0;
  }
}

function setup(): {
  clock: ManualClock;
  recorder: FakeRecorder;
  usage: Map<string, ContainerUsage>;
  listed: SampledInstance[];
  logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  sampler: UsageSampler;
  known: Map<string, ServiceRef>;
} {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const recorder = new FakeRecorder();
  const usage = new Map<string, ContainerUsage>();
  const listed: SampledInstance[] = [];
  const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const known = new Map([web, api].map((s) => [s.serviceId, s]));
  const sampler = new UsageSampler({
    instances: () => listed,
    services: (id) => known.get(id),
    recorder,
    clock,
    logger: (message, fields) => logs.push({ message, fields }),
    usage: (ref: ContainerRef) => {
      const u = usage.get(ref.containerId);
      return u ? Promise.resolve(u) : Promise.reject(new Error(`container ${ref.containerId} has no cgroup`));
    },
  });
  return { clock, recorder, usage, listed, logs, sampler, known };
}

const second = (clock: ManualClock): number => Math.floor(clock.now() / 1000);

/** Two instances of web and one of api. */
const threeInstances = (): SampledInstance[] => [instance("i1", web, 1000, 2 * GiB), instance("i2", web, 250, 512 * 1024 ** 2), instance("i3", api, 2000, 4 * GiB)];
const FIRST_READINGS: Record<string, ContainerUsage> = {
  "or-i1": { cpuNanos: 5e9, memoryBytes: 1 * GiB, memoryLimitBytes: 2 * GiB },
  "or-i2": { cpuNanos: 1e9, memoryBytes: 128 * 1024 ** 2, memoryLimitBytes: 512 * 1024 ** 2 },
  "or-i3": { cpuNanos: 0, memoryBytes: 0, memoryLimitBytes: 4 * GiB },
};
/** 10 s after FIRST_READINGS. */
const SECOND_READINGS: Record<string, ContainerUsage> = {
  "or-i1": { cpuNanos: 10e9, memoryBytes: 0.5 * GiB, memoryLimitBytes: 2 * GiB },
  "or-i2": { cpuNanos: 3.5e9, memoryBytes: 256 * 1024 ** 2, memoryLimitBytes: 512 * 1024 ** 2 },
  "or-i3": { cpuNanos: 30e9, memoryBytes: 1 * GiB, memoryLimitBytes: 4 * GiB },
};
const setUsage = (usage: Map<string, ContainerUsage>, readings: Record<string, ContainerUsage>): void => {
  for (const [id, u] of Object.entries(readings)) usage.set(id, u);
};

describe("UsageSampler", () => {
  it("turns cumulative CPU into a share of the configured vCPU, and memory into a share of the configured memory", async () => {
    const { clock, recorder, usage, listed, sampler } = setup();
    listed.push(...threeInstances());
    setUsage(usage, FIRST_READINGS);

    await sampler.sampleOnce();
    assert.equal(recorder.instance.length, 0, "the first sample is the CPU baseline");
    assert.deepEqual(recorder.active, [
      { service: "web", second: second(clock), count: 2 },
      { service: "api", second: second(clock), count: 1 },
    ]);
    recorder.clear();

    clock.advance(10_000);
    // i1: 5 s of CPU in 10 s on 1 vCPU = 50 %; i2: 2.5 s on 0.25 vCPU = 100 %; i3: 30 s on 2 vCPU = 150 % -> capped at 100.
    setUsage(usage, SECOND_READINGS);
    await sampler.sampleOnce();
    const s = second(clock);
    assert.deepEqual(recorder.instance, [
      { service: "web", instance: "i1", second: s, report: { cpuPercent: 50, memoryPercent: 25 } },
      { service: "web", instance: "i2", second: s, report: { cpuPercent: 100, memoryPercent: 50 } },
      { service: "api", instance: "i3", second: s, report: { cpuPercent: 100, memoryPercent: 25 } },
    ]);
    recorder.clear();

    clock.advance(5_000);
    usage.set("or-i1", { cpuNanos: 10.5e9, memoryBytes: 0.5 * GiB, memoryLimitBytes: 2 * GiB });
    await sampler.sampleOnce();
    assert.deepEqual(recorder.instance[0]?.report, { cpuPercent: 10, memoryPercent: 25 }, "0.5 s in 5 s");
  });

  it("forgets instances that went, reports ActiveInstances 0 once, and logs read failures", async () => {
    const { clock, recorder, usage, listed, logs, sampler } = setup();
    listed.push(instance("i1", web), instance("i2", api));
    usage.set("or-i1", { cpuNanos: 1e9, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
    usage.set("or-i2", { cpuNanos: 1e9, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
    await sampler.sampleOnce();

    // i2 goes (its service scaled to zero): api gets one 0, then nothing.
    listed.splice(1, 1);
    clock.advance(10_000);
    usage.set("or-i1", { cpuNanos: 2e9, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
    recorder.clear();
    await sampler.sampleOnce();
    assert.deepEqual(
      recorder.active.map((a) => [a.service, a.count]),
      [
        ["web", 1],
        ["api", 0],
      ],
    );
    assert.deepEqual(
      recorder.instance.map((i) => i.instance),
      ["i1"],
    );
    recorder.clear();
    clock.advance(10_000);
    await sampler.sampleOnce();
    assert.deepEqual(
      recorder.active.map((a) => [a.service, a.count]),
      [["web", 1]],
    );

    // i2 comes back under the same id with restarted counters: a fresh baseline, not a huge delta.
    listed.push(instance("i2", api));
    usage.set("or-i2", { cpuNanos: 50e9, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
    recorder.clear();
    clock.advance(10_000);
    await sampler.sampleOnce();
    assert.deepEqual(
      recorder.instance.map((i) => i.instance),
      ["i1"],
      "i2 is a baseline again",
    );

    // A read that fails is logged with the instance, and the others are still recorded.
    usage.delete("or-i1");
    recorder.clear();
    clock.advance(10_000);
    await sampler.sampleOnce();
    assert.deepEqual(
      recorder.instance.map((i) => i.instance),
      ["i2"],
    );
    const failure = logs.find((l) => l.message === "reading an instance's usage failed");
    assert.equal(failure?.fields?.instanceId, "i1");
    assert.match(String(failure?.fields?.error), /no cgroup/);
    // i1 is still listed, so it is still active.
    assert.deepEqual(
      recorder.active.map((a) => [a.service, a.count]),
      [
        ["web", 1],
        ["api", 1],
      ],
    );
  });

  it("counts an instance whose usage cannot be read from here (a task on another node) as active, without utilization or an error", async () => {
    const { clock, recorder, usage, listed, logs, sampler } = setup();
    const remote: SampledInstance = { instanceId: "r1", serviceId: web.serviceId, cpuMillicores: 1000, memoryBytes: 2 * GiB };
    listed.push(instance("i1", web), remote);
    setUsage(usage, FIRST_READINGS);
    await sampler.sampleOnce();
    clock.advance(10_000);
    setUsage(usage, SECOND_READINGS);
    await sampler.sampleOnce();
    assert.deepEqual(recorder.active.map((a) => a.count), [2, 2]);
    assert.deepEqual(recorder.instance.map((r) => r.instance), ["i1"]);
    assert.deepEqual(logs, []);
  });

  it("records nothing for a service that is gone, and survives a failing recorder", async () => {
    const { clock, recorder, usage, listed, logs, sampler, known } = setup();
    listed.push(instance("i1", web));
    usage.set("or-i1", { cpuNanos: 0, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
    await sampler.sampleOnce();
    known.delete(web.serviceId);
    recorder.clear();
    clock.advance(10_000);
    await sampler.sampleOnce();
    assert.equal(recorder.instance.length, 0);
    assert.equal(recorder.active.length, 0);

    known.set(web.serviceId, web);
    recorder.recordInstance = () => {
      throw new Error("store is closed");
    };
    clock.advance(10_000);
    await sampler.sampleOnce();
    assert.ok(logs.some((l) => l.message === "recording an instance's usage failed" && l.fields?.instanceId === "i1"));
    assert.deepEqual(
      recorder.active.map((a) => [a.service, a.count]),
      [["web", 1]],
    );
  });

  it("adds each service's instances up: CPU used over vCPU reserved, memory used over memory reserved", async () => {
    const { clock, recorder, usage, listed, sampler } = setup();
    listed.push(...threeInstances());
    setUsage(usage, FIRST_READINGS);
    await sampler.sampleOnce();
    assert.deepEqual(recorder.service, [], "baselines only: no service usage yet");

    clock.advance(10_000);
    setUsage(usage, SECOND_READINGS);
    await sampler.sampleOnce();
    const s = second(clock);
    // web: (500 + 250) of 1250 millicores = 60 %; (0.5 + 0.25) of 2.5 GiB = 30 %. api: its one instance.
    assert.deepEqual(recorder.service, [
      { service: "web", second: s, report: { cpuPercent: 60, memoryPercent: 30 } },
      { service: "api", second: s, report: { cpuPercent: 100, memoryPercent: 25 } },
    ]);
  });

  it("samples at start and on its interval until stopped", async () => {
    const recorder = new FakeRecorder();
    let reads = 0;
    const sampler = new UsageSampler({
      instances: () => [instance("i1", web)],
      services: () => web,
      recorder,
      clock: { now: () => Date.now() },
      intervalMs: 20,
      logger: () => {},
      usage: () => {
        reads++;
        return Promise.resolve({ cpuNanos: reads * 1e6, memoryBytes: GiB, memoryLimitBytes: 2 * GiB });
      },
    });
    sampler.start();
    await new Promise((r) => setTimeout(r, 110));
    await sampler.stop();
    const after = reads;
    assert.ok(after >= 3, `read ${after} times`);
    assert.ok(recorder.instance.length >= 2);
    for (const i of recorder.instance) assert.ok(i.report.cpuPercent >= 0 && i.report.cpuPercent <= 100);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reads, after, "no sampling after stop");
  });
});
