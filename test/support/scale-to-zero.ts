/**
 * What the scale-to-zero end-to-end tests share (test/scale-to-zero*.e2e.test.ts): a service
 * tagged to go to zero after a short idle period, waiting for it to be there, and reading what
 * the runtime made ahead for its wake from the host (instance records, runc, cgroups).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateServiceCommand, DescribeServiceCommand, PauseServiceCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import type { LocalRuntimeDriver } from "../../src/runtime/local/driver.js";
import { SCALE_TO_ZERO_TAG } from "../../src/domain/scale-to-zero.js";
import { awsJsonCall } from "./aws-json-call.js";
import { eventually, type InProcessServer } from "./harness.js";
import { viaRouter } from "./router-client.js";
import { waitForOperation, waitForStatus } from "./runtime-fixture.js";

/** Idle periods this short are accepted only because the test server lowers the tag's bound. */
export const IDLE = "2s";

/** `runc state` of a container; undefined when runc does not know it. */
export function runcState(containerId: string): { status: string; pid: number } | undefined {
  try {
    return JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { status: string; pid: number };
  } catch {
    return undefined; // Not (or no longer) a runc container.
  }
}

/** The next instance a service at zero keeps made ahead, as found on the host. */
export interface MadeAhead {
  instanceId: string;
  containerId: string;
  dir: string;
  /** Its memory cgroup's directory (present only once runc made it). */
  memoryCgroup: string;
  /** runc's waiting init when created; undefined when prepared (no process). */
  pid?: number;
}

export function scaleToZeroHelpers(ctx: { server: () => InProcessServer; httpPort: () => number }) {
  const driver = (): LocalRuntimeDriver => ctx.server().running.driver as LocalRuntimeDriver;
  const get = (host: string, timeoutMs = 20_000) => viaRouter({ port: ctx.httpPort(), host, timeoutMs });

  async function createService(name: string, image: string, asc?: string, env?: Record<string, string>): Promise<Service> {
    const out = await ctx.server().client.send(
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
    return waitForStatus(ctx.server().client, out.Service?.ServiceArn ?? "", "RUNNING");
  }

  /** Waits (bounded) until the real autoscaler's idle timer has stopped every instance of the service. */
  async function atZero(svc: Service): Promise<void> {
    const { running, client } = ctx.server();
    await eventually(async () => (driver().instances(svc.ServiceId).length === 0 ? true : undefined), 30_000, 100);
    const listed = await awsJsonCall(running.endpoint, running.rootKey, "openrunner", "ListServiceInstances", JSON.stringify({ ServiceArn: svc.ServiceArn }));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.Instances, []);
    const described = await client.send(new DescribeServiceCommand({ ServiceArn: svc.ServiceArn }));
    assert.equal(described.Service?.Status, "RUNNING", "a service at zero is still RUNNING");
  }

  /**
   * The instance the runtime made ahead for the service's wake, once made as far as `state`: its
   * record says "creating"; "created": runc says "created"; "prepared": its bundle is written
   * (config.json, last) over the mounted overlay and runc knows nothing of it.
   */
  function madeAhead(svc: Service, state: "prepared" | "created"): MadeAhead | undefined {
    const instancesDir = join(ctx.server().running.dataDir, "runtime", "instances");
    for (const id of readdirSync(instancesDir)) {
      const recordFile = join(instancesDir, id, "instance.json");
      if (!existsSync(recordFile)) continue;
      const r = JSON.parse(readFileSync(recordFile, "utf8")) as { serviceId: string; phase: string; containerId: string };
      if (r.serviceId !== svc.ServiceId || r.phase !== "creating") continue;
      const dir = join(instancesDir, id);
      // The container id is `<prefix>-<instance id>` and its cgroup `/<prefix>/<instance id>`.
      const memoryCgroup = `/sys/fs/cgroup/memory/${r.containerId.slice(0, r.containerId.length - id.length - 1)}/${id}`;
      const runc = runcState(r.containerId);
      if (state === "created" && runc?.status === "created") return { instanceId: id, containerId: r.containerId, dir, memoryCgroup, pid: runc.pid };
      if (state === "prepared" && !runc && existsSync(join(dir, "config.json"))) return { instanceId: id, containerId: r.containerId, dir, memoryCgroup };
    }
    return undefined;
  }

  /** A new deployment of `image` (UpdateService), waited for: it must succeed. */
  async function deploy(svc: Service, image: string): Promise<void> {
    const { client } = ctx.server();
    const update = await client.send(
      new UpdateServiceCommand({
        ServiceArn: svc.ServiceArn,
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC" } },
      }),
    );
    const op = await waitForOperation(client, svc.ServiceArn ?? "", update.OperationId ?? "");
    assert.equal(op.Status, "SUCCEEDED");
  }

  /** PauseService, waited for: it must succeed. */
  async function pause(svc: Service): Promise<void> {
    const { client } = ctx.server();
    const paused = await client.send(new PauseServiceCommand({ ServiceArn: svc.ServiceArn }));
    assert.equal((await waitForOperation(client, svc.ServiceArn ?? "", paused.OperationId ?? "")).Status, "SUCCEEDED");
  }

  return { driver, get, createService, atZero, madeAhead, deploy, pause };
}
