import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import {
  DescribeServiceCommand,
  ListOperationsCommand,
  type AppRunnerClient,
  type OperationSummary,
  type Service,
} from "@aws-sdk/client-apprunner";
import { join } from "node:path";
import { networkForSlot } from "../../src/executor/network.js";
import type { LocalRuntimeSettings } from "../../src/runtime/local/setup.js";
import type { InstanceRecord } from "../../src/runtime/local/records.js";
import { eventually } from "./harness.js";

/** A random 127.X block per test file, so servers of concurrent test files never share addresses. */
export function randomAddressBlock(): number {
  return 203 + Math.floor(Math.random() * 48);
}

/**
 * The local runtime as end-to-end tests run it: its own address block, quick stops and
 * supervision, no polling for automatic deployment (tests trigger it), HAProxy on `httpPort`
 * without HTTPS.
 */
export function testRuntimeSettings(httpPort: number, more: Partial<LocalRuntimeSettings> = {}): LocalRuntimeSettings {
  return {
    addressBlock: randomAddressBlock(),
    stopGraceMs: 1000,
    imagePollMs: 0,
    codePollMs: 0,
    superviseMs: 250,
    router: { httpPort, httpsPort: 0 },
    ...more,
  };
}

export async function waitForStatus(client: AppRunnerClient, arn: string, status: string, timeoutMs = 60_000): Promise<Service> {
  let seen: string | undefined;
  try {
    return await eventually(async () => {
      const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
      seen = s?.Status;
      return s?.Status === status ? s : undefined;
    }, timeoutMs, 100);
  } catch (err) {
    // Which status it stayed in, and what its latest operation says: a timeout alone tells nothing.
    const ops = await client.send(new ListOperationsCommand({ ServiceArn: arn })).catch(() => undefined);
    const op = ops?.OperationSummaryList?.[0];
    throw new Error(`${arn} not ${status}: last seen ${seen ?? "nothing"}; latest operation ${op ? `${op.Type} ${op.Status}` : "none"} (${String(err)})`);
  }
}

export async function waitForOperation(client: AppRunnerClient, arn: string, operationId: string, timeoutMs = 60_000): Promise<OperationSummary> {
  return eventually(async () => {
    const ops = (await client.send(new ListOperationsCommand({ ServiceArn: arn }))).OperationSummaryList ?? [];
    const op = ops.find((o) => o.Id === operationId);
    return op && op.Status !== "PENDING" && op.Status !== "IN_PROGRESS" && op.Status !== "ROLLBACK_IN_PROGRESS" ? op : undefined;
  }, timeoutMs, 100);
}

/** GET with a short timeout; the body, or the error's text. */
export async function httpText(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

/** Everything with this prefix still on the host: must be empty after a delete or a stop. */
export function hostLeftovers(prefix: string, dataDir: string): string[] {
  const left: string[] = [];
  const runc = JSON.parse(execFileSync("runc", ["list", "-f", "json"], { encoding: "utf8" }) || "[]") as { id: string }[] | null;
  for (const c of runc ?? []) if (c.id.startsWith(prefix)) left.push(`container ${c.id}`);
  for (const line of execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n")) {
    if (line.startsWith(prefix)) left.push(`netns ${line}`);
  }
  for (const line of execFileSync("ip", ["-o", "link"], { encoding: "utf8" }).split("\n")) {
    const name = line.split(":")[1]?.trim().split("@")[0];
    if (name?.startsWith(prefix)) left.push(`link ${name}`);
  }
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    if (line.includes(dataDir)) left.push(`mount ${line.split(" ")[4]}`);
  }
  for (const h of readdirSync("/sys/fs/cgroup")) {
    try {
      if (readdirSync(`/sys/fs/cgroup/${h}/${prefix}`).some((e) => /^[0-9a-f]{32}$/.test(e))) left.push(`cgroup ${h}/${prefix}`);
    } catch {
      // No cgroup of ours in this hierarchy.
    }
  }
  return left;
}

export interface RecordedInstance {
  instanceId: string;
  serviceId: string;
  containerId: string;
  address: string;
}

/** Instances as the local driver recorded them in a data directory (for servers in another process). */
export function recordedInstances(dataDir: string, addressBlock: number): RecordedInstance[] {
  const dir = join(dataDir, "runtime", "instances");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const r = JSON.parse(readFileSync(join(dir, name, "instance.json"), "utf8")) as InstanceRecord;
      if (r.phase !== "created") return [];
      const prefix = r.containerId.split("-")[0] ?? "";
      const net = networkForSlot({ prefix, addressBlock, instancesDir: dir, egress: false }, r.slot);
      return [{ instanceId: r.instanceId, serviceId: r.serviceId, containerId: r.containerId, address: net.instanceAddress }];
    } catch {
      return []; // Being written or removed right now.
    }
  });
}
