/**
 * The local runtime's speed and memory: `openrunner up --runtime local` as a child process, a
 * loopback registry with the busybox hello app, and the App Runner API through the AWS SDK.
 * Must run as root (runc, network namespaces). Talks only to 127.x addresses.
 *
 *   node dist/bench/runtime.js [--services 5] [--updates 3] [--instances 50] [--settle-ms 5000] [--out results.json]
 *
 * 1. create → serving: CreateService to the first HTTP 200 from the instance (polled every
 *    20 ms at the address computed from the instance record), sequentially, `--services` times.
 * 2. update → new version: UpdateService (new RuntimeEnvironmentVariables) to the new instance
 *    answering `/cgi-bin/env` with the new value, and to the operation being SUCCEEDED.
 * 3. instance start: from each deployment log, "Starting 1 instance" → "passed its … health
 *    check" (CloudWatch event timestamps), split at "Instance … started at".
 * 4. memory: the child's VmRSS with 0 instances, then with `--instances` running (one service
 *    each), after `--settle-ms`; the apps' own memory from their memory cgroups, separately.
 */
import {
  AppRunnerClient,
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pushHelloApp } from "../test/support/app-images.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sampleMemory, sleep, type MemorySample } from "./lib/proc-status.js";
import {
  hostInstances,
  instanceCgroupMemory,
  memAvailableMiB,
  processCensus,
  type CgroupMemory,
  type HostInstance,
  type ProcessCensus,
} from "./lib/runtime-host.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    services: { type: "string", default: "5" },
    updates: { type: "string", default: "3" },
    instances: { type: "string", default: "50" },
    "settle-ms": { type: "string", default: "5000" },
    out: { type: "string" },
  },
});
const SERVICES = Number(args.services);
const UPDATES = Number(args.updates);
const INSTANCES = Number(args.instances);
const SETTLE_MS = Number(args["settle-ms"]);
for (const [name, v] of Object.entries({ SERVICES, UPDATES, INSTANCES, SETTLE_MS })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
}
if (SERVICES < 1) throw new Error("--services must be at least 1 (the update runs on the first one)");

const POLL_MS = 20;
const PORT = 8080;
const STEP_TIMEOUT_MS = 120_000;
/** Instances per service (auto scaling MinSize) for the memory phase: the default quota is 30 services. */
const PER_SERVICE = 5;

interface LogEvent {
  t: number;
  message: string;
}

interface Breakdown {
  /** CreateService/UpdateService sent → first deployment log line (queueing in the engine). */
  toFirstLogMs: number;
  /** Pulling/resolving the image, up to "Starting 1 instance". */
  pullMs: number;
  /** "Starting 1 instance" → "Instance … started at" (network namespace + runc). */
  startMs: number;
  /** "started at" → "passed its … health check". */
  healthMs: number;
  /** "passed its health check" → the last line of the deployment log. */
  afterHealthyMs: number;
}

interface CreateSample {
  name: string;
  serviceId: string;
  operationId: string;
  firstOkMs: number;
  runningMs: number;
  breakdown: Breakdown | undefined;
  log: LogEvent[];
}

interface UpdateSample {
  value: string;
  answersMs: number;
  succeededMs: number;
  breakdown: Breakdown | undefined;
  log: LogEvent[];
}

interface MemoryPhase {
  instances: number;
  rss: MemorySample[];
  rssMedianMiB: number;
  cgroups: CgroupMemory;
  census: ProcessCensus;
  memAvailableMiB: number;
}

/** Names whose process count changed between two censuses, with the change. */
function nameDiff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[name] ?? 0) - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

async function get(url: string, timeoutMs = 1000): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/** Polls `f` every POLL_MS until it returns a value; bounded. */
async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

function breakdown(sentAt: number, log: LogEvent[]): Breakdown | undefined {
  // Lines read "[AppRunner] <message>".
  const at = (re: RegExp): number | undefined => log.find((e) => re.test(e.message.replace(/^\[AppRunner\] /, "")))?.t;
  const first = log[0]?.t;
  const starting = at(/^Starting \d+ instance/);
  const started = at(/^Instance \S+ started at/);
  const healthy = at(/passed its \S+ health check/);
  const last = log[log.length - 1]?.t;
  if (first === undefined || starting === undefined || started === undefined || healthy === undefined || last === undefined) return undefined;
  return {
    toFirstLogMs: first - sentAt,
    pullMs: starting - first,
    startMs: started - starting,
    healthMs: healthy - started,
    afterHealthyMs: last - healthy,
  };
}

async function main(): Promise<void> {
  const machine = machineFacts();
  const addressBlock = 203 + Math.floor(Math.random() * 48);
  let registry: TestRegistry | undefined;
  let openrunner: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  let logs: CloudWatchLogsClient | undefined;
  const arns: string[] = [];
  let prefix = "";
  const creates: CreateSample[] = [];
  const updates: UpdateSample[] = [];
  const memory: MemoryPhase[] = [];
  let fillMs = Number.NaN;
  let fillNote = "";
  const cleanup: string[] = [];

  const deploymentLog = async (name: string, id: string, operationId: string): Promise<LogEvent[]> => {
    const out = await logs?.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${name}/${id}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
    );
    return (out?.events ?? []).map((e) => ({ t: e.timestamp ?? 0, message: e.message ?? "" }));
  };
  const operationStatus = async (arn: string, operationId: string): Promise<string | undefined> => {
    const ops = (await client?.send(new ListOperationsCommand({ ServiceArn: arn })))?.OperationSummaryList ?? [];
    return ops.find((o) => o.Id === operationId)?.Status;
  };
  const create = async (name: string, message: string, autoScalingArn?: string): Promise<{ arn: string; id: string; operationId: string }> => {
    const out = await client?.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: {
            ImageIdentifier: `${registry?.host}/hello:latest`,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { RuntimeEnvironmentVariables: { MESSAGE: message } },
          },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        ...(autoScalingArn ? { AutoScalingConfigurationArn: autoScalingArn } : {}),
      }),
    );
    const arn = out?.Service?.ServiceArn ?? "";
    arns.push(arn);
    return { arn, id: out?.Service?.ServiceId ?? "", operationId: out?.OperationId ?? "" };
  };
  const instancesOf = (serviceId: string): HostInstance[] =>
    openrunner ? hostInstances(openrunner.dataDir, addressBlock).filter((i) => i.serviceId === serviceId) : [];
  const sampleMemoryPhase = async (n: number): Promise<void> => {
    if (!openrunner) return;
    const rss = await sampleMemory(openrunner.server.pid, 5, 1000);
    memory.push({
      instances: n,
      rss,
      rssMedianMiB: median(rss.map((s) => s.rssMiB)),
      cgroups: prefix ? instanceCgroupMemory(prefix) : { cgroups: 0, usageMiB: 0, rssMiB: 0, cacheMiB: 0, processes: 0, processNames: {}, outsideParents: {} },
      census: processCensus(openrunner.server.pid),
      memAvailableMiB: memAvailableMiB(),
    });
  };

  try {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    openrunner = await startOpenRunnerChild([], {
      upArgs: ["--runtime", "local", "--router", "none", "--address-block", String(addressBlock), "--image-poll-seconds", "0"],
      readyTimeoutMs: 60_000,
    });
    client = benchClient(openrunner.endpoint, openrunner.credentials, 8);
    logs = new CloudWatchLogsClient({ endpoint: openrunner.endpoint, region: "us-east-1", credentials: openrunner.credentials, maxAttempts: 1 });

    // Memory with no instance, after the same settling time as later.
    await sleep(SETTLE_MS);
    await sampleMemoryPhase(0);

    // 1. create → serving, sequentially.
    for (let i = 0; i < SERVICES; i++) {
      const name = `bench-create-${i}`;
      const sentAt = Date.now();
      const s = await create(name, "first");
      const firstOkMs = await until(`${name} answering`, async () => {
        for (const inst of instancesOf(s.id)) {
          const r = await get(`http://${inst.address}:${PORT}/`, 500);
          if (r?.status === 200) return Date.now() - sentAt;
        }
        return undefined;
      });
      prefix ||= instancesOf(s.id)[0]?.prefix ?? "";
      const runningMs = await until(`${name} RUNNING`, async () => {
        const d = await client?.send(new DescribeServiceCommand({ ServiceArn: s.arn }));
        return d?.Service?.Status === "RUNNING" ? Date.now() - sentAt : undefined;
      });
      const log = await deploymentLog(name, s.id, s.operationId);
      creates.push({ name, serviceId: s.id, operationId: s.operationId, firstOkMs, runningMs, breakdown: breakdown(sentAt, log), log });
      process.stderr.write(`create ${i}: first 200 after ${firstOkMs} ms, RUNNING after ${runningMs} ms\n`);
    }

    // Memory with the first services running: the code paths are loaded, so growth from here on is per instance.
    await sleep(SETTLE_MS);
    await sampleMemoryPhase(hostInstances(openrunner.dataDir, addressBlock).length);

    // 2. update → new version, on the first service.
    const target = creates[0];
    const targetArn = arns[0] ?? "";
    for (let u = 0; target && u < UPDATES; u++) {
      const value = `update-${u}`;
      const before = new Set(instancesOf(target.serviceId).map((i) => i.instanceId));
      const sentAt = Date.now();
      const out = await client.send(
        new UpdateServiceCommand({
          ServiceArn: targetArn,
          SourceConfiguration: {
            AutoDeploymentsEnabled: false,
            ImageRepository: {
              ImageIdentifier: `${registry.host}/hello:latest`,
              ImageRepositoryType: "ECR_PUBLIC",
              ImageConfiguration: { RuntimeEnvironmentVariables: { MESSAGE: value } },
            },
          },
        }),
      );
      const operationId = out.OperationId ?? "";
      const answers = until(`update ${u} answering`, async () => {
        for (const inst of instancesOf(target.serviceId)) {
          if (before.has(inst.instanceId)) continue;
          const r = await get(`http://${inst.address}:${PORT}/cgi-bin/env`, 500);
          if (r?.status === 200 && r.body.trim() === `MESSAGE=${value}`) return Date.now() - sentAt;
        }
        return undefined;
      });
      const succeeded = until(`update ${u} SUCCEEDED`, async () => {
        const status = await operationStatus(targetArn, operationId);
        if (status && status !== "SUCCEEDED" && status !== "IN_PROGRESS" && status !== "PENDING") throw new Error(`update ${u} ended ${status}`);
        return status === "SUCCEEDED" ? Date.now() - sentAt : undefined;
      });
      const [answersMs, succeededMs] = await Promise.all([answers, succeeded]);
      const log = await deploymentLog(target.name, target.serviceId, operationId);
      updates.push({ value, answersMs, succeededMs, breakdown: breakdown(sentAt, log), log });
      process.stderr.write(`update ${u}: new value after ${answersMs} ms, SUCCEEDED after ${succeededMs} ms\n`);
    }

    // 4. memory with INSTANCES instances running. The default quota is 30 services, so the
    // remaining instances come from services whose auto scaling MinSize is PER_SERVICE.
    if (INSTANCES > SERVICES) {
      const fillStart = Date.now();
      const deadline = Date.now() + 10 * 60_000;
      const remaining = INSTANCES - SERVICES;
      const sizes = [...Array.from({ length: Math.floor(remaining / PER_SERVICE) }, () => PER_SERVICE), ...(remaining % PER_SERVICE ? [remaining % PER_SERVICE] : [])];
      const ascArns = new Map<number, string>();
      for (const size of new Set(sizes)) {
        const asc = await client.send(
          new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: `bench-min-${size}`, MinSize: size, MaxSize: Math.max(size, 25) }),
        );
        ascArns.set(size, asc.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "");
      }
      for (let i = 0; i < sizes.length; i++) {
        const name = `bench-mem-${i}`;
        const s = await create(name, "mem", ascArns.get(sizes[i] ?? 0));
        for (;;) {
          const status = (await client.send(new DescribeServiceCommand({ ServiceArn: s.arn }))).Service?.Status;
          if (status === "RUNNING") break;
          if (status !== "OPERATION_IN_PROGRESS") throw new Error(`${name} ended ${status}`);
          if (Date.now() > deadline) throw new Error(`${name} not RUNNING after 10 minutes`);
          await sleep(200);
        }
        process.stderr.write(`memory: ${hostInstances(openrunner.dataDir, addressBlock).length} instances running after ${Date.now() - fillStart} ms\n`);
      }
      fillMs = Date.now() - fillStart;
      const running = hostInstances(openrunner.dataDir, addressBlock).length;
      fillNote = `${running} instance records "created"`;
      await sleep(SETTLE_MS);
      await sampleMemoryPhase(running);
    }

    report();
  } finally {
    // Delete every service, wait (bounded) until no instance is left, then stop the child.
    if (client && openrunner) cleanup.push(...(await deleteServicesAndWait(client, arns, openrunner.dataDir, 120_000)));
    client?.destroy();
    logs?.destroy();
    if (openrunner) {
      const t0 = Date.now();
      await openrunner.close();
      cleanup.push(`openrunner stopped (SIGTERM) in ${Date.now() - t0} ms`);
    }
    await registry?.stop();
    if (prefix) cleanup.push(hostLeftoversLine(prefix));
    process.stderr.write(`cleanup: ${cleanup.join("; ")}\n`);
  }

  function report(): void {
    const stat = (xs: number[]): string[] => {
      const s = [...xs].sort((a, b) => a - b);
      return [fmt(percentile(s, 50), 0), fmt(s[0] ?? Number.NaN, 0), fmt(s[s.length - 1] ?? Number.NaN, 0)];
    };
    const bd = (list: (Breakdown | undefined)[], key: keyof Breakdown): number[] => list.flatMap((b) => (b ? [b[key]] : []));
    const createBd = creates.map((c) => c.breakdown);
    const updateBd = updates.map((u) => u.breakdown);
    const allBd = [...createBd, ...updateBd];
    const rows: string[][] = [
      [`CreateService → first 200 (n=${creates.length}, first one includes the image pull)`, ...stat(creates.map((c) => c.firstOkMs))],
      ["CreateService → first 200, excluding the first service", ...stat(creates.slice(1).map((c) => c.firstOkMs))],
      ["CreateService → status RUNNING", ...stat(creates.map((c) => c.runningMs))],
      ["  create: sent → first deployment log line", ...stat(bd(createBd, "toFirstLogMs"))],
      ["  create: pull/resolve image → \"Starting 1 instance\"", ...stat(bd(createBd, "pullMs"))],
      [`UpdateService → new value on /cgi-bin/env (n=${updates.length})`, ...stat(updates.map((u) => u.answersMs))],
      ["UpdateService → operation SUCCEEDED", ...stat(updates.map((u) => u.succeededMs))],
      ["  update: healthy → last deployment log line (traffic shift, old instance stopped)", ...stat(bd(updateBd, "afterHealthyMs"))],
      [`instance start: "Starting 1 instance" → "started at" (netns + runc, n=${bd(allBd, "startMs").length})`, ...stat(bd(allBd, "startMs"))],
      ["instance start: \"started at\" → \"passed its TCP health check\"", ...stat(bd(allBd, "healthMs"))],
      [
        "instance start: \"Starting 1 instance\" → healthy",
        ...stat(allBd.flatMap((b) => (b ? [b.startMs + b.healthMs] : []))),
      ],
    ];
    const m0 = memory.find((m) => m.instances === 0);
    const mN = memory[memory.length - 1];
    const mWarm = memory.length > 2 ? memory[1] : undefined;
    const memRows: string[][] = memory.map((m) => [
      String(m.instances),
      fmt(m.rssMedianMiB, 1),
      fmt(Math.max(...m.rss.map((s) => s.hwmMiB)), 1),
      fmt(m.cgroups.usageMiB, 1),
      fmt(m.cgroups.rssMiB, 1),
      fmt(m.cgroups.cacheMiB, 1),
      String(m.cgroups.processes),
      String(m.census.total),
      String(m.census.childrenOf.length),
      String(m.census.runtimeHelpers.length),
      fmt(m.memAvailableMiB, 0),
    ]);
    let perInstance = "";
    if (m0 && mN) {
      const rssPer = ((mN.rssMedianMiB - m0.rssMedianMiB) * 1024) / mN.instances;
      const hostProcs = mN.census.total - m0.census.total - (mN.cgroups.processes - m0.cgroups.processes);
      const availPer = ((m0.memAvailableMiB - mN.memAvailableMiB - mN.cgroups.usageMiB) * 1024) / mN.instances;
      perInstance =
        `\nPlatform memory per instance: (RSS_${mN.instances} − RSS_0) / ${mN.instances} = **${fmt(rssPer, 0)} KiB** of OpenRunner RSS; ` +
        `host processes per instance outside the instance cgroups: ${fmt(hostProcs / mN.instances, 2)} ` +
        `(${hostProcs} more processes on the host than in the instance cgroups; children of OpenRunner: ${mN.census.childrenOf.length}; ` +
        `runc/shim processes: ${mN.census.runtimeHelpers.length}). ` +
        `Apps: ${fmt(mN.cgroups.usageMiB, 1)} MiB in ${mN.cgroups.cgroups} cgroups (${fmt((mN.cgroups.usageMiB * 1024) / Math.max(1, mN.cgroups.cgroups), 0)} KiB each). ` +
        `Machine MemAvailable fell by ${fmt(m0.memAvailableMiB - mN.memAvailableMiB, 0)} MiB; minus the apps' cgroups and spread over the instances: ${fmt(availPer, 0)} KiB per instance ` +
        `(kernel: netns, veth, overlay mounts, OpenRunner's own growth; noisy). Filling to ${mN.instances}: ${fmt(fillMs / 1000, 1)} s (${fillNote}).\n` +
        (mWarm
          ? `Marginal, from ${mWarm.instances} to ${mN.instances} instances: (RSS_${mN.instances} − RSS_${mWarm.instances}) / ${mN.instances - mWarm.instances} = **${fmt(((mN.rssMedianMiB - mWarm.rssMedianMiB) * 1024) / (mN.instances - mWarm.instances), 0)} KiB** per instance.\n`
          : "") +
        `Parents of the apps' top processes (outside the instance cgroups): ${JSON.stringify(mN.cgroups.outsideParents)}. ` +
        `App processes by name: ${JSON.stringify(mN.cgroups.processNames)}. Host processes added since 0 instances, by name: ${JSON.stringify(nameDiff(m0.census.byName, mN.census.byName))}.\n`;
    }
    process.stdout.write(
      `## Local runtime (${machine.date})\n\n` +
        `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}; ` +
        `address block 127.${addressBlock}, prefix ${prefix}.\n\n` +
        markdownTable(["measure", "p50 ms", "min ms", "max ms"], rows) +
        "\n\n" +
        markdownTable(
          ["instances", "OpenRunner VmRSS MiB (median of 5)", "VmHWM MiB", "apps' cgroups usage MiB", "apps' rss MiB", "apps' cache MiB", "app processes", "host processes", "children of OpenRunner", "runc/shim processes", "MemAvailable MiB"],
          memRows,
        ) +
        "\n" +
        perInstance,
    );
    if (args.out) {
      const config = { services: SERVICES, updates: UPDATES, instances: INSTANCES, settleMs: SETTLE_MS, addressBlock, prefix };
      writeFileSync(args.out, `${JSON.stringify({ machine, config, creates, updates, memory, fillMs }, null, 2)}\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`runtime: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
