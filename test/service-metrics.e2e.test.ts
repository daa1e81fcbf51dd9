import { CreateAutoScalingConfigurationCommand, CreateServiceCommand, DeleteServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Datapoint, type Statistic } from "@aws-sdk/client-cloudwatch";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pushConcurrencyApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForStatus } from "./support/runtime-fixture.js";

const IN_FLIGHT = 6;

/**
 * The service-level metrics App Runner dashboards read (CPUUtilization, MemoryUtilization and
 * Concurrency with the dimensions ServiceName and ServiceID only), from a real instance behind
 * the real HAProxy, read back with the CloudWatch SDK.
 */
describe("service-level CPUUtilization, MemoryUtilization and Concurrency", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let cw: CloudWatchClient;
  let httpPort = 0;
  let service: Service | undefined;

  const dimensions = (s: Service) => [
    { Name: "ServiceName", Value: s.ServiceName ?? "" },
    { Name: "ServiceID", Value: s.ServiceId ?? "" },
  ];
  const datapoint = async (s: Service, MetricName: string, Statistics: Statistic[]): Promise<Datapoint | undefined> => {
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/AppRunner",
        MetricName,
        Dimensions: dimensions(s),
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 3600,
        Statistics,
      }),
    );
    return out.Datapoints?.[0];
  };

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: testRuntimeSettings(httpPort, { usageSampleMs: 500, concurrencySampleMs: 250 }),
    });
    cw = new CloudWatchClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
    registry = await startRegistry();
    await pushConcurrencyApp(registry.host, "slow", "1");
  });

  after(async () => {
    if (service) await server?.client.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn })).catch(() => undefined);
    cw?.destroy();
    await server?.close();
    await registry?.stop();
  });

  it("publishes them for the service as a whole, readable with GetMetricStatistics and listed by ListMetrics", async () => {
    const asc = await server.client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "one-instance", MinSize: 1, MaxSize: 1, MaxConcurrency: 20 }),
    );
    const created = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "measured",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: {
            ImageIdentifier: `${registry.host}/slow:1`,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { RuntimeEnvironmentVariables: { SLOW_MS: "3000" } },
          },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        AutoScalingConfigurationArn: asc.AutoScalingConfiguration?.AutoScalingConfigurationArn,
      }),
    );
    const s = await waitForStatus(server.client, created.Service?.ServiceArn ?? "", "RUNNING");
    service = s;

    // IN_FLIGHT requests held 3 s each by the instance: the samples in between see them all.
    const replies = await Promise.all(
      Array.from({ length: IN_FLIGHT }, () => viaRouter({ port: httpPort, host: s.ServiceUrl ?? "", path: "/cgi-bin/slow", timeoutMs: 30_000 })),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      replies.map(() => 200),
    );
    // Samples after the requests see none in flight.
    const concurrency = await eventually(async () => {
      const d = await datapoint(s, "Concurrency", ["Maximum", "Minimum", "SampleCount"]);
      return d?.Maximum === IN_FLIGHT && d.Minimum === 0 ? d : undefined;
    }, 15_000, 250);
    assert.equal(concurrency.Unit, "Count");

    const cpu = await eventually(() => datapoint(s, "CPUUtilization", ["Average", "Maximum", "SampleCount"]), 15_000, 250);
    const memory = await eventually(() => datapoint(s, "MemoryUtilization", ["Average", "Maximum"]), 15_000, 250);
    assert.equal(cpu.Unit, "Percent");
    assert.ok((cpu.Maximum ?? -1) >= 0 && (cpu.Maximum ?? 101) <= 100, `CPU ${cpu.Maximum}`);
    assert.ok((cpu.SampleCount ?? 0) >= 1);
    assert.ok((memory.Average ?? 0) > 0 && (memory.Maximum ?? 101) <= 100, `memory ${memory.Average}`);

    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/AppRunner", Dimensions: [{ Name: "ServiceID", Value: s.ServiceId ?? "" }] }));
    const serviceLevel = (listed.Metrics ?? [])
      .filter((m) => (m.Dimensions ?? []).length === 2)
      .map((m) => m.MetricName)
      .sort();
    for (const name of ["CPUUtilization", "Concurrency", "MemoryUtilization"]) assert.ok(serviceLevel.includes(name), `${name} in ${serviceLevel.join(", ")}`);
  });
});
