import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  CreateAutoScalingConfigurationCommand,
  CreateObservabilityConfigurationCommand,
  CreateServiceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { pushConcurrencyApp, pushHelloApp, pushWebSocketApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, loadLoop, viaRouter, webSocketEcho } from "./support/router-client.js";
import { randomAddressBlock, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

describe("data plane: HAProxy routes ServiceUrls, caps concurrency, scales, and never drops a request", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let httpPort = 0;
  let httpsPort = 0;
  let ca = "";
  const serverLog: string[] = [];

  const driver = (): LocalRuntimeDriver => server.running.driver as LocalRuntimeDriver;
  const tls = (): { ca: string } => ({ ca });
  const get = (host: string, path = "/") => viaRouter({ port: httpsPort, host, path, https: tls() });

  async function createService(
    name: string,
    image: string,
    extra: { asc?: string; env?: Record<string, string>; observability?: string } = {},
  ): Promise<Service> {
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: {
            ImageIdentifier: image,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { RuntimeEnvironmentVariables: extra.env ?? {} },
          },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        ...(extra.asc ? { AutoScalingConfigurationArn: extra.asc } : {}),
        ...(extra.observability
          ? { ObservabilityConfiguration: { ObservabilityEnabled: true, ObservabilityConfigurationArn: extra.observability } }
          : {}),
      }),
    );
    return waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
  }

  async function scalingConfiguration(name: string, minSize: number, maxSize: number, maxConcurrency: number): Promise<string> {
    const out = await server.client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: name, MinSize: minSize, MaxSize: maxSize, MaxConcurrency: maxConcurrency }),
    );
    return out.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
  }

  before(async () => {
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    server = await startInProcess({
      localRuntime: {
        addressBlock: randomAddressBlock(),
        stopGraceMs: 1000,
        imagePollMs: 0,
        superviseMs: 250,
        router: { httpPort, httpsPort },
        autoscaleWindows: { stableWindowSeconds: 8, scaleDownDelayMs: 2000 },
      },
      logger: (message, fields) => serverLog.push(`${message} ${JSON.stringify(fields ?? {})}`),
    });
    ca = readFileSync(server.running.router?.caCertPath ?? "", "utf8");
    registry = await startRegistry();
    await Promise.all([
      pushHelloApp(registry.host, "hello", "alpha", "alpha"),
      pushHelloApp(registry.host, "hello", "beta", "beta"),
      pushWebSocketApp(registry.host, "ws", "1"),
      pushConcurrencyApp(registry.host, "slow", "1"),
    ]);
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
  });

  it("routes each ServiceUrl to its service over HTTPS with the local CA; HTTP redirects; unknown hosts 404; paused 503", async () => {
    const a = await createService("alpha", `${registry.host}/hello:alpha`);
    const b = await createService("beta", `${registry.host}/hello:beta`);
    const hostA = a.ServiceUrl ?? "";
    const hostB = b.ServiceUrl ?? "";
    assert.equal((await get(hostA)).body.trim(), "alpha");
    assert.equal((await get(hostB)).body.trim(), "beta");
    assert.equal((await get(hostA.toUpperCase())).body.trim(), "alpha", "host names are case-insensitive");

    const plain = await viaRouter({ port: httpPort, host: hostA });
    assert.equal(plain.status, 301);
    assert.match(String(plain.headers.location), new RegExp(`^https://${hostA.replace(/\./g, "\\.")}:${httpsPort}/`));

    const unknown = await get(`nothing-here.us-east-1.openrunner.localhost`);
    assert.equal(unknown.status, 404);

    await server.client.send(new PauseServiceCommand({ ServiceArn: b.ServiceArn }));
    await waitForStatus(server.client, b.ServiceArn ?? "", "PAUSED");
    const paused = await get(hostB);
    assert.equal(paused.status, 503);
    assert.match(paused.body, /paused/i);
    await server.client.send(new ResumeServiceCommand({ ServiceArn: b.ServiceArn }));
    await waitForStatus(server.client, b.ServiceArn ?? "", "RUNNING");
    await eventually(async () => ((await get(hostB)).body.trim() === "beta" ? true : undefined), 10_000);
  });

  it("counts every request in the service's metrics (HAProxy's counters) with latency samples (its log lines)", async () => {
    const svc = await createService("counted", `${registry.host}/hello:alpha`);
    const host = svc.ServiceUrl ?? "";
    const sent = 25;
    for (let i = 0; i < sent; i++) assert.equal((await get(host, i % 5 === 4 ? "/missing" : "/")).status < 500, true);
    const notFound = Array.from({ length: sent }, (_, i) => i).filter((i) => i % 5 === 4).length;
    const cw = new CloudWatchClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
    try {
      const stat = async (MetricName: string, Statistics: Array<"Sum" | "SampleCount">) => {
        const out = await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/AppRunner",
            MetricName,
            Dimensions: [
              { Name: "ServiceName", Value: svc.ServiceName ?? "" },
              { Name: "ServiceID", Value: svc.ServiceId ?? "" },
            ],
            StartTime: new Date(Date.now() - 600_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 3600,
            Statistics,
          }),
        );
        return out.Datapoints?.[0];
      };
      // The counters are read once a second; a second is recorded once it has passed.
      const requests = await eventually(async () => {
        const d = await stat("Requests", ["Sum"]);
        return d?.Sum === sent ? d : undefined;
      }, 15_000);
      assert.equal(requests.Sum, sent);
      assert.equal((await stat("4xxStatusResponses", ["Sum"]))?.Sum, notFound);
      assert.equal((await stat("2xxStatusResponses", ["Sum"]))?.Sum, sent - notFound);
      // Latency comes from the log lines (every request is logged below LOGGED_REQUESTS_PER_SECOND).
      assert.ok(((await stat("RequestLatency", ["SampleCount"]))?.SampleCount ?? 0) >= 1);
    } finally {
      cw.destroy();
    }
  });

  it("sets X-Forwarded-*, a request id and (with tracing on) X-Amzn-Trace-Id, and carries WebSockets", async () => {
    const obs = await server.client.send(
      new CreateObservabilityConfigurationCommand({ ObservabilityConfigurationName: "tracing", TraceConfiguration: { Vendor: "AWSXRAY" } }),
    );
    const echo = await createService("echo-headers", `${registry.host}/hello:alpha`, {
      observability: obs.ObservabilityConfiguration?.ObservabilityConfigurationArn,
    });
    const host = echo.ServiceUrl ?? "";
    // The CGI environment shows the headers the instance received (HTTP_X_FORWARDED_PROTO=...).
    const seen = (await get(host, "/cgi-bin/headers")).body;
    assert.match(seen, /^HTTP_X_FORWARDED_PROTO=https$/m);
    assert.match(seen, new RegExp(`^HTTP_X_FORWARDED_PORT=${httpsPort}$`, "m"));
    assert.match(seen, /^HTTP_X_FORWARDED_FOR=127\.0\.0\.1$/m);
    assert.match(seen, /^HTTP_X_REQUEST_ID=[0-9a-f-]{36}$/m);
    assert.match(seen, /^HTTP_X_AMZN_TRACE_ID=Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/m);
    const kept = (await viaRouter({ port: httpsPort, host, path: "/cgi-bin/headers", https: tls(), headers: { "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793" } })).body;
    assert.match(kept, /^HTTP_X_AMZN_TRACE_ID=Root=1-5759e988-bd862e3fe1be46a994272793$/m);
    const ws = await createService("websocket", `${registry.host}/ws:1`);
    const reply = await webSocketEcho({ port: httpsPort, host: ws.ServiceUrl ?? "", ca, message: "ping-through-the-router" });
    assert.equal(reply.accept, reply.expected);
    assert.match(reply.echoed, /ping-through-the-router/);
  });

  it("gives each instance at most MaxConcurrency requests at once and queues the rest", async () => {
    const asc = await scalingConfiguration("cap-two", 1, 1, 2);
    const svc = await createService("capped", `${registry.host}/slow:1`, { asc });
    const host = svc.ServiceUrl ?? "";
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(host, "/cgi-bin/slow")));
    assert.deepEqual(
      replies.map((r) => r.status),
      Array(10).fill(200),
    );
    const max = Number((await get(host, "/cgi-bin/max")).body.trim());
    assert.ok(max >= 1 && max <= 2, `the instance saw ${max} requests at once`);
  });

  it("scales out under a load step and back in when it ends, without a failed request", async () => {
    const asc = await scalingConfiguration("burst", 1, 3, 2);
    const svc = await createService("bursty", `${registry.host}/slow:1`, { asc });
    const id = svc.ServiceId ?? "";
    const host = svc.ServiceUrl ?? "";
    const heavy = loadLoop({ port: httpsPort, host, path: "/cgi-bin/slow", clients: 8, https: tls() });
    const light = loadLoop({ port: httpsPort, host, path: "/", clients: 1, https: tls() });
    try {
      await eventually(async () => (driver().instances(id).filter((i) => i.serving && i.healthy).length >= 3 ? true : undefined), 30_000, 100);
    } finally {
      await heavy.stop();
    }
    await eventually(async () => (driver().instances(id).length === 1 ? true : undefined), 60_000, 200);
    await light.stop();
    assert.deepEqual([...heavy.failures, ...light.failures], []);
    assert.ok(heavy.ok > 0 && light.ok > 0);
  });

  it("keeps every request answered through an update and an instance crash", async () => {
    const asc = await scalingConfiguration("pair", 2, 2, 50);
    const svc = await createService("steady", `${registry.host}/hello:alpha`, { asc, env: { MESSAGE: "one" } });
    const id = svc.ServiceId ?? "";
    const host = svc.ServiceUrl ?? "";
    const load = loadLoop({ port: httpsPort, host, path: "/cgi-bin/env", clients: 4, https: tls() });
    try {
      const update = await server.client.send(
        new UpdateServiceCommand({
          ServiceArn: svc.ServiceArn,
          SourceConfiguration: {
            AutoDeploymentsEnabled: false,
            ImageRepository: {
              ImageIdentifier: `${registry.host}/hello:alpha`,
              ImageRepositoryType: "ECR_PUBLIC",
              ImageConfiguration: { RuntimeEnvironmentVariables: { MESSAGE: "two" } },
            },
          },
        }),
      );
      assert.equal((await waitForOperation(server.client, svc.ServiceArn ?? "", update.OperationId ?? "")).Status, "SUCCEEDED");
      assert.equal((await get(host, "/cgi-bin/env")).body.trim(), "MESSAGE=two");
      const [victim] = driver().instances(id);
      assert.ok(victim);
      process.kill(victim.pid, "SIGKILL");
      await eventually(
        async () => (driver().instances(id).filter((i) => i.healthy && i.instanceId !== victim.instanceId).length === 2 ? true : undefined),
        20_000,
        100,
      );
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, [], serverLog.slice(-20).join("\n"));
    assert.ok(load.ok > 10);
  });
});
