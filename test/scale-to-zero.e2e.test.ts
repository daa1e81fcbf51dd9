import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  TagResourceCommand,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SCALE_TO_ZERO_TAG } from "../src/domain/scale-to-zero.js";
import { pushCrashLaterApp, pushHelloApp } from "./support/app-images.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { testRuntimeSettings } from "./support/runtime-fixture.js";
import { runcState, scaleToZeroHelpers } from "./support/scale-to-zero.js";

/** The name of the network namespace a process runs in (`ip netns identify`). */
const netnsOf = (pid: number): string => execFileSync("ip", ["netns", "identify", String(pid)], { encoding: "utf8" }).trim();

describe("scale to zero: an idle service stops its last instance; held requests wake it", () => {
  let registry: TestRegistry;
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let httpPort = 0;
  let crashLater = { manifestDigest: "" };
  const { driver, get, createService, atZero, madeAhead, deploy, pause } = scaleToZeroHelpers({ server: () => server, httpPort: () => httpPort });

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

  it("keeps its next instance prepared while at zero (no process, no cgroup, no environment on disk) and the wake starts that one", async () => {
    const svc = await createService("ahead", `${registry.host}/hello:1`, undefined, { AHEAD_MARK: "value-kept-off-disk" });
    assert.equal((await get(svc.ServiceUrl ?? "")).status, 200);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "prepared"), 20_000, 100);
    // Nothing holds memory for it: no runc container (no waiting init), no cgroup to charge.
    assert.equal(runcState(ahead.containerId), undefined, "no runc state while at zero");
    assert.equal(existsSync(ahead.memoryCgroup), false, "no cgroup while at zero");
    assert.ok(existsSync(join(ahead.dir, "rootfs", "www")), "the overlay over the unpacked image is mounted");
    const bundle = readFileSync(join(ahead.dir, "config.json"), "utf8");
    assert.doesNotMatch(bundle, /value-kept-off-disk/, "the bundle waits without the environment");
    assert.match(bundle, /"PATH=/);
    const woken = await get(svc.ServiceUrl ?? "");
    assert.equal(woken.status, 200);
    assert.equal(woken.body.trim(), "hello");
    const [instance] = driver().instances(svc.ServiceId);
    assert.deepEqual(
      driver().instances(svc.ServiceId).map((i) => i.instanceId),
      [ahead.instanceId],
      "the wake started the instance prepared ahead",
    );
    // The wake wrote the environment for runc: the app has it, the disk has it no more.
    assert.match(readFileSync(`/proc/${instance?.pid ?? 0}/environ`, "utf8"), /AHEAD_MARK=value-kept-off-disk/);
    assert.doesNotMatch(readFileSync(join(ahead.dir, "config.json"), "utf8"), /value-kept-off-disk/, "stripped again after the start");
    // Back at zero, a new one is prepared; deleting the service removes it with everything else.
    await atZero(svc);
    const next = await eventually(async () => madeAhead(svc, "prepared"), 20_000, 100);
    assert.notEqual(next.instanceId, ahead.instanceId);
    await server.client.send(new DeleteServiceCommand({ ServiceArn: svc.ServiceArn }));
    await eventually(async () => (!existsSync(next.dir) ? true : undefined), 20_000, 100);
  });

  it("a deployment while at zero does not start the old version's instance prepared ahead: the new version answers", async () => {
    await pushHelloApp(registry.host, "hello", "2", "second");
    const svc = await createService("redeployed-at-zero", `${registry.host}/hello:1`);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "prepared"), 20_000, 100);
    await deploy(svc, `${registry.host}/hello:2`);
    assert.equal(existsSync(ahead.dir), false, "the old version's instance prepared ahead is gone");
    assert.equal((await get(svc.ServiceUrl ?? "")).body.trim(), "second");
  });

  it("pausing a service at zero removes its instance prepared ahead (overlay, disk, dir)", async () => {
    const svc = await createService("paused-at-zero", `${registry.host}/hello:1`);
    await atZero(svc);
    const ahead = await eventually(async () => madeAhead(svc, "prepared"), 20_000, 100);
    await pause(svc);
    await eventually(async () => (!existsSync(ahead.dir) ? true : undefined), 20_000, 100);
    assert.doesNotMatch(readFileSync("/proc/self/mountinfo", "utf8"), new RegExp(ahead.instanceId), "its overlay and disk are unmounted");
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
