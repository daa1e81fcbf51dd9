import { CreateAutoScalingConfigurationCommand, CreateServiceCommand, DeleteServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isHaproxy } from "../src/router/haproxy-process.js";
import { pushHelloApp } from "./support/app-images.js";
import { eventually } from "./support/harness.js";
import { containerPid, haproxyMasterPid, LocalServer } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { loadLoop, viaRouter } from "./support/router-client.js";
import { recordedInstances, waitForStatus } from "./support/runtime-fixture.js";

/**
 * The data plane under faults, through a real `openrunner up`, real HAProxy and real instances,
 * with bounded HTTPS load on loopback: app crashes with one and with two instances, HAProxy
 * killed from outside, and services created together.
 */
describe("data plane under faults: app crashes under load, a killed HAProxy, services created together", () => {
  const srv = new LocalServer("openrunner-dataplane-faults-", { https: true });
  const { data, block } = srv;
  let registry: TestRegistry;
  let ca = "";
  let image = "";
  let bystander: Service;

  const runtime = (): NonNullable<LocalServer["current"]> => {
    if (!srv.current) throw new Error("openrunner is not running");
    return srv.current;
  };
  const get = (host: string) => viaRouter({ port: srv.httpsPort, host, https: { ca }, timeoutMs: 30_000 });
  const load = (host: string, clients: number) => loadLoop({ port: srv.httpsPort, host, path: "/", clients, https: { ca } });
  const instancesOf = (serviceId: string) => recordedInstances(data.dir, block).filter((i) => i.serviceId === serviceId);
  const serverLog = (): string => runtime().server.output();

  async function createService(name: string, asc?: string): Promise<Service> {
    const out = await runtime().client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        ...(asc ? { AutoScalingConfigurationArn: asc } : {}),
      }),
    );
    return waitForStatus(runtime().client, out.Service?.ServiceArn ?? "", "RUNNING", 120_000);
  }

  /** Kills the app of one of the service's instances from the host, then waits (bounded) for its replacement and `ok` more answers. */
  async function crashOne(svc: Service, size: number, answered: () => number): Promise<void> {
    const id = svc.ServiceId ?? "";
    const [victim] = instancesOf(id);
    assert.ok(victim, `no instance of ${svc.ServiceName}`);
    process.kill(containerPid(victim.containerId), "SIGKILL");
    await eventually(async () => {
      const now = instancesOf(id);
      return now.length === size && !now.some((i) => i.instanceId === victim.instanceId) ? true : undefined;
    }, 60_000, 100);
    const seen = answered();
    await eventually(async () => (answered() >= seen + 20 ? true : undefined), 30_000, 50);
  }

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "v1", "v1");
    image = `${registry.host}/hello:v1`;
    await srv.start();
    ca = srv.ca;
    bystander = await createService("bystander");
  });

  after(async () => {
    await srv.stop("SIGTERM");
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
    }
  });

  it("ten services created in parallel all answer at their ServiceUrl as soon as they are RUNNING", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `together-${i}`);
    const services = await Promise.all(names.map((n) => createService(n)));
    const answers = await Promise.all(services.map(async (s) => [s.ServiceName, (await get(s.ServiceUrl ?? "")).status] as const));
    assert.deepEqual(
      answers.filter(([, status]) => status !== 200),
      [],
      `RUNNING services that do not answer (of ${services.length})`,
    );
    await Promise.all(services.map((s) => runtime().client.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn }))));
    const ids = new Set(services.map((s) => s.ServiceId));
    await eventually(async () => (recordedInstances(data.dir, block).some((i) => ids.has(i.serviceId)) ? undefined : true), 60_000, 200);
  });

  it("an app crashing under HTTPS load with one instance leaves HAProxy up, every other service answering, and fails at most the requests it held", async () => {
    const victim = await createService("crashy");
    const master = haproxyMasterPid(data.dir);
    const clients = 4;
    const rounds = 3;
    const onVictim = load(victim.ServiceUrl ?? "", clients);
    const onBystander = load(bystander.ServiceUrl ?? "", 2);
    try {
      for (let round = 0; round < rounds; round++) await crashOne(victim, 1, () => onVictim.ok);
    } finally {
      await Promise.all([onVictim.stop(), onBystander.stop()]);
    }
    assert.equal(haproxyMasterPid(data.dir), master, "HAProxy was not restarted");
    assert.ok(await isHaproxy(master), `HAProxy died:\n${readFileSync(join(data.dir, "router", "haproxy.log"), "utf8").slice(-2000)}`);
    assert.deepEqual(onBystander.failures, [], "the other service answered throughout");
    assert.ok(onBystander.ok > 0);
    // Requests in the app when it died fail; the others wait for the replacement instead of 503.
    assert.ok(onVictim.failures.length <= rounds * clients, `${onVictim.failures.length} of ${onVictim.ok + onVictim.failures.length} failed: ${onVictim.failures.slice(0, 5).join("; ")}`);
    console.log(`one instance, ${rounds} crashes: ${onVictim.ok} answered, ${onVictim.failures.length} failed; bystander ${onBystander.ok} answered`);
    await runtime().client.send(new DeleteServiceCommand({ ServiceArn: victim.ServiceArn }));
  });

  it("with two instances and MaxConcurrency 1, a crash under GET load fails no request", async () => {
    const asc = await runtime().client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "pair-of-one", MinSize: 2, MaxSize: 2, MaxConcurrency: 1 }),
    );
    const pair = await createService("pair", asc.AutoScalingConfiguration?.AutoScalingConfigurationArn);
    const master = haproxyMasterPid(data.dir);
    const onPair = load(pair.ServiceUrl ?? "", 6);
    const onBystander = load(bystander.ServiceUrl ?? "", 2);
    try {
      for (let round = 0; round < 2; round++) await crashOne(pair, 2, () => onPair.ok);
    } finally {
      await Promise.all([onPair.stop(), onBystander.stop()]);
    }
    assert.deepEqual(onPair.failures, [], `of ${onPair.ok + onPair.failures.length} requests`);
    assert.deepEqual(onBystander.failures, []);
    assert.equal(haproxyMasterPid(data.dir), master);
    console.log(`two instances of MaxConcurrency 1, 2 crashes: ${onPair.ok} answered, 0 failed`);
    await runtime().client.send(new DeleteServiceCommand({ ServiceArn: pair.ServiceArn }));
  });

  it("HAProxy killed from outside by its PID is restarted with its routes, says so in the service's events, and no ECONNREFUSED storm is logged", async () => {
    const host = bystander.ServiceUrl ?? "";
    assert.equal((await get(host)).status, 200);
    const master = haproxyMasterPid(data.dir);
    const logBefore = serverLog().length;
    process.kill(master, "SIGKILL");
    await eventually(async () => {
      const pid = haproxyMasterPid(data.dir);
      const restarted = /data plane: HAProxy restarted/.test(serverLog().slice(logBefore));
      return restarted && pid !== master && (await isHaproxy(pid)) && (await get(host)).status === 200 ? true : undefined;
    }, 20_000, 50);
    const restart = /^.*data plane: HAProxy restarted.*$/m.exec(serverLog().slice(logBefore))?.[0] ?? "";
    console.log(`HAProxy killed: ${restart}`);
    assert.doesNotMatch(serverLog().slice(logBefore), /ECONNREFUSED/);
    const logs = new CloudWatchLogsClient({ endpoint: runtime().server.endpoint, region: "us-east-1", credentials: await runtime().client.config.credentials(), maxAttempts: 1 });
    try {
      const line = await eventually(async () => {
        const out = await logs.send(new GetLogEventsCommand({ logGroupName: `/aws/apprunner/bystander/${bystander.ServiceId ?? ""}/service`, logStreamName: "events" }));
        return out.events?.find((e) => /request router stopped and was restarted/.test(e.message ?? ""));
      }, 10_000, 100);
      assert.ok(line);
    } finally {
      logs.destroy();
    }
  });
});
