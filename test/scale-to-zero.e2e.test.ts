import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { SCALE_TO_ZERO_TAG } from "../src/domain/scale-to-zero.js";
import { pushCrashLaterApp, pushHelloApp } from "./support/app-images.js";
import { awsJsonCall } from "./support/aws-json-call.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

/** The name of the network namespace a process runs in (`ip netns identify`). */
const netnsOf = (pid: number): string => execFileSync("ip", ["netns", "identify", String(pid)], { encoding: "utf8" }).trim();

/** `runc state` of a container; undefined when runc does not know it. */
function runcState(containerId: string): { status: string; pid: number } | undefined {
  try {
    return JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { status: string; pid: number };
  } catch {
    return undefined; // Not (or no longer) a runc container.
  }
}

/** Idle periods this short are accepted only because the test server lowers the tag's bound. */
const IDLE = "2s";

describe("scale to zero: an idle service stops its last instance; held requests wake it", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let httpPort = 0;
  let crashLater = { manifestDigest: "" };

  const driver = (): LocalRuntimeDriver => server.running.driver as LocalRuntimeDriver;
  const get = (host: string, timeoutMs = 20_000) => viaRouter({ port: httpPort, host, timeoutMs });

  async function createService(name: string, image: string, asc?: string, env?: Record<string, string>): Promise<Service> {
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ...(env ? { ImageConfiguration: { RuntimeEnvironmentVariables: env } } : {}) },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        HealthCheckConfiguration: { Protocol: "TCP", Interval: 1, Timeout: 1, HealthyThreshold: 1, UnhealthyThreshold: 2 },
        Tags: [{ Key: SCALE_TO_ZERO_TAG, Value: IDLE }],
        ...(asc ? { AutoScalingConfigurationArn: asc } : {}),
      }),
    );
    return waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
  }

  /** Waits (bounded) until the real autoscaler's idle timer has stopped every instance of the service. */
  async function atZero(svc: Service): Promise<void> {
    await eventually(async () => (driver().instances(svc.ServiceId).length === 0 ? true : undefined), 30_000, 100);
    const listed = await awsJsonCall(server.running.endpoint, server.running.rootKey, "openrunner", "ListServiceInstances", JSON.stringify({ ServiceArn: svc.ServiceArn }));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.Instances, []);
    const described = await server.client.send(new DescribeServiceCommand({ ServiceArn: svc.ServiceArn }));
    assert.equal(described.Service?.Status, "RUNNING", "a service at zero is still RUNNING");
  }

  /** The instance the runtime made ahead for the service's wake: its record says "creating" and runc says "created". */
  function madeAhead(svc: Service): { instanceId: string; containerId: string; dir: string; pid: number } | undefined {
    const instancesDir = join(server.running.dataDir, "runtime", "instances");
    for (const id of readdirSync(instancesDir)) {
      const recordFile = join(instancesDir, id, "instance.json");
      if (!existsSync(recordFile)) continue;
      const r = JSON.parse(readFileSync(recordFile, "utf8")) as { serviceId: string; phase: string; containerId: string };
      if (r.serviceId !== svc.ServiceId || r.phase !== "creating") continue;
      const state = runcState(r.containerId);
      if (state?.status === "created") return { instanceId: id, containerId: r.containerId, dir: join(instancesDir, id), pid: state.pid };
    }
    return undefined;
  }

  const events = async (svc: Service): Promise<string> => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${svc.ServiceName}/${svc.ServiceId}/service`, logStreamName: "events", startFromHead: true }),
    );
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({ localRuntime: testRuntimeSettings(httpPort, { scaleToZeroMinIdleMs: 1000 }) });
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    registry = await startRegistry();
    [, crashLater] = await Promise.all([pushHelloApp(registry.host, "hello", "1", "hello"), pushCrashLaterApp(registry.host, "crash-later", "1")]);
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
  });

  it("refuses a bad idle period on CreateService and TagResource with InvalidRequestException", async () => {
    await assert.rejects(
      server.client.send(
        new CreateServiceCommand({
          ServiceName: "bad-idle",
          SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry.host}/hello:1`, ImageRepositoryType: "ECR_PUBLIC" } },
          Tags: [{ Key: SCALE_TO_ZERO_TAG, Value: "soon" }],
        }),
      ),
      (err: Error) => err.name === "InvalidRequestException" && /openrunner:scale-to-zero must be true, false, or an idle period/.test(err.message),
    );
    const anyArn = `arn:aws:apprunner:us-east-1:${server.running.config.accountId}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`;
    await assert.rejects(
      server.client.send(new TagResourceCommand({ ResourceArn: anyArn, Tags: [{ Key: SCALE_TO_ZERO_TAG, Value: "48h" }] })),
      (err: Error) => err.name === "InvalidRequestException" && /between 1 s and 24 h/.test(err.message),
    );
  });

  it("goes to zero after its idle period, stays RUNNING, and answers the next request with 200", async () => {
    const svc = await createService("sleepy", `${registry.host}/hello:1`);
    const host = svc.ServiceUrl ?? "";
    assert.equal((await get(host)).status, 200);
    const netns = netnsOf(driver().instances(svc.ServiceId)[0]?.pid ?? 0);
    // A mark in the instance's network namespace: only the same namespace, kept, still has it.
    execFileSync("ip", ["-n", netns, "addr", "add", "127.77.77.77/32", "dev", "lo"]);
    await atZero(svc);
    const woken = await get(host);
    assert.equal(woken.status, 200);
    assert.equal(woken.body.trim(), "hello");
    const [instance] = driver().instances(svc.ServiceId);
    assert.ok(instance, "the request woke an instance");
    // The network of its last instance stayed ready for the next start (cold start: no netns to make).
    assert.equal(netnsOf(instance.pid), netns, "the woken instance runs in the network kept ready");
    assert.match(execFileSync("ip", ["-n", netns, "addr", "show", "dev", "lo"], { encoding: "utf8" }), /127\.77\.77\.77\/32/);
    assert.match(await events(svc), /scal/i);
  });

  it("keeps its next instance made ahead while at zero (runc created, the app not running, no environment on disk) and the wake starts that one", async () => {
    const svc = await createService("ahead", `${registry.host}/hello:1`, undefined, { AHEAD_MARK: "value-kept-off-disk" });
    assert.equal((await get(svc.ServiceUrl ?? "")).status, 200);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc), 20_000, 100);
    // Only runc's init waits in it: nothing of the app runs while the service is at zero.
    assert.match(readFileSync(`/proc/${ahead.pid}/cmdline`, "utf8"), /^runc\0init/);
    // runc has read the bundle once it says "created"; the runtime strips it right after (bounded wait).
    const stripped = (): boolean => !/value-kept-off-disk/.test(readFileSync(join(ahead.dir, "config.json"), "utf8"));
    await eventually(async () => (stripped() ? true : undefined), 10_000, 20).catch(() => undefined);
    assert.equal(stripped(), true, "the bundle on disk keeps no environment");
    assert.equal((await get(svc.ServiceUrl ?? "")).status, 200);
    assert.deepEqual(
      driver().instances(svc.ServiceId).map((i) => i.instanceId),
      [ahead.instanceId],
      "the wake started the instance made ahead",
    );
    // Back at zero, a new one is made; deleting the service removes it with everything else.
    await atZero(svc);
    const next = await eventually(async () => madeAhead(svc), 20_000, 100);
    assert.notEqual(next.instanceId, ahead.instanceId);
    await server.client.send(new DeleteServiceCommand({ ServiceArn: svc.ServiceArn }));
    await eventually(async () => (runcState(next.containerId) === undefined && !existsSync(next.dir) ? true : undefined), 20_000, 100);
  });

  it("a deployment while at zero does not start the old version's instance made ahead: the new version answers", async () => {
    await pushHelloApp(registry.host, "hello", "2", "second");
    const svc = await createService("redeployed-at-zero", `${registry.host}/hello:1`);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc), 20_000, 100);
    const update = await server.client.send(
      new UpdateServiceCommand({
        ServiceArn: svc.ServiceArn,
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:2`, ImageRepositoryType: "ECR_PUBLIC" } },
      }),
    );
    const op = await waitForOperation(server.client, svc.ServiceArn ?? "", update.OperationId ?? "");
    assert.equal(op.Status, "SUCCEEDED");
    assert.equal(runcState(ahead.containerId), undefined, "the old version's instance made ahead is gone");
    assert.equal((await get(svc.ServiceUrl ?? "")).body.trim(), "second");
  });

  it("answers all of 50 concurrent requests to a service at zero, waking as many instances as MaxConcurrency requires", async () => {
    const asc = await server.client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "ten-each", MinSize: 1, MaxSize: 10, MaxConcurrency: 10 }),
    );
    const svc = await createService("burst", `${registry.host}/hello:1`, asc.AutoScalingConfiguration?.AutoScalingConfigurationArn);
    await atZero(svc);
    const replies = await Promise.all(Array.from({ length: 50 }, () => get(svc.ServiceUrl ?? "")));
    assert.deepEqual(
      replies.map((r) => r.status),
      Array.from({ length: 50 }, () => 200),
    );
    // The instance made ahead starts first and may answer the whole burst while the others are
    // still being made (network, disk, runc): they count once made, within the bounded wait.
    await eventually(async () => (driver().instances(svc.ServiceId).length > 1 ? true : undefined), 20_000, 50).catch(() => undefined);
    assert.equal(driver().instances(svc.ServiceId).length > 1, true, "50 held requests at MaxConcurrency 10 wake more than one instance");
  });

  it("answers held requests 503 at once when the instance cannot start, and the event log says why", async () => {
    const svc = await createService("crashes-at-zero", `${registry.host}/crash-later:1`);
    assert.equal((await get(svc.ServiceUrl ?? "")).body.trim(), "crash-later");
    await atZero(svc);
    // From now on every new instance of the image exits at once with code 3.
    // The image store's unpacked rootfs (images/unpacked/<manifest hex>/rootfs) is every instance's lower layer.
    const rootfs = join(server.running.dataDir, "images", "unpacked", crashLater.manifestDigest.replace(/^sha256:/, ""), "rootfs");
    assert.ok(existsSync(rootfs), `the image is unpacked at ${rootfs}`);
    writeFileSync(join(rootfs, "crash"), "");
    const held = await get(svc.ServiceUrl ?? "");
    assert.equal(held.status, 503);
    assert.match(held.body, /could not start/);
    const text = await eventually(async () => {
      const t = await events(svc);
      return /exited with code 3/.test(t) && /No instance of the service is up/.test(t) ? t : undefined;
    });
    assert.match(text, /fatal: \/crash says so|exited with code 3/);
    // Its idle period later it goes back to zero, and stops trying (nothing crash-loops at close).
    await atZero(svc);
  });
});
