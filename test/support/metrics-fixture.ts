import { CreateServiceCommand } from "@aws-sdk/client-apprunner";
import type { ServiceRef } from "../../src/telemetry/metrics/catalog.js";
import { createMetricsModule } from "../../src/telemetry/metrics/module.js";
import type { MetricsRecorder } from "../../src/telemetry/metrics/recorder.js";
import type { ModuleFactory } from "../../src/modules.js";
import { DEFAULT_MODULES, type OpenRunnerOptions } from "../../src/server.js";
import { startInProcess, type InProcessServer } from "./harness.js";
import { ScriptedRuntimeDriver } from "./scripted-driver.js";

export interface MetricsServer extends InProcessServer {
  recorder: MetricsRecorder;
  service: ServiceRef;
  /** Whole minute (epoch seconds) the synthetic data starts at: ten minutes before the last whole minute. */
  t0: number;
}

/**
 * The real server with the default modules, the metrics module's recorder in hand (the data
 * plane that will feed it does not exist yet), one created service, and ten minutes of
 * synthetic data for it ending at the last whole minute: in minute m (0..9) m+1 requests per
 * report, 6 reports a minute, 4xx on every other report, latencies 10 ms and (m+1)*100 ms; one
 * instance at 20% then 40% CPU each minute; 2 active instances.
 */
export async function startMetricsServer(opts: Partial<OpenRunnerOptions> = {}): Promise<MetricsServer> {
  let recorder: MetricsRecorder | undefined;
  const capture: ModuleFactory = (deps) => {
    const m = createMetricsModule(deps);
    recorder = m.metricsRecorder;
    return m;
  };
  const server = await startInProcess({
    driver: new ScriptedRuntimeDriver(),
    modules: DEFAULT_MODULES.map((f) => (f === createMetricsModule ? capture : f)),
    ...opts,
  });
  if (!recorder) throw new Error("the metrics module exposes no recorder");
  const created = await server.client.send(
    new CreateServiceCommand({
      ServiceName: "metered",
      SourceConfiguration: { ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } },
    }),
  );
  const service = { serviceName: created.Service?.ServiceName ?? "", serviceId: created.Service?.ServiceId ?? "" };
  const t0 = (Math.floor(Date.now() / 60_000) - 10) * 60;
  for (let m = 0; m < 10; m++) {
    for (let r = 0; r < 6; r++) {
      const second = t0 + m * 60 + r * 10;
      const fourxx = r % 2 === 1 ? 1 : 0;
      recorder.recordRequests(service, second, {
        requests: m + 1,
        status2xx: m + 1 - fourxx,
        status4xx: fourxx,
        status5xx: 0,
        latenciesMs: Array.from({ length: m + 1 }, (_, i) => (i === 0 ? (m + 1) * 100 : 10)),
      });
      recorder.recordActiveInstances(service, second, 2);
    }
    recorder.recordInstance(service, "inst-1", t0 + m * 60, { cpuPercent: 20, memoryPercent: 50 });
    recorder.recordInstance(service, "inst-1", t0 + m * 60 + 30, { cpuPercent: 40, memoryPercent: 50 });
  }
  return { ...server, recorder, service, t0 };
}

export const serviceDimensions = (s: ServiceRef): { Name: string; Value: string }[] => [
  { Name: "ServiceName", Value: s.serviceName },
  { Name: "ServiceID", Value: s.serviceId },
];
