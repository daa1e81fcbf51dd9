/**
 * API latency: DescribeService and ListServices against `openrunner up` (a child process on a
 * temp data dir, loopback, port 0), and against a bare node:http server returning the same
 * bytes — the floor set by the client and HTTP on this machine. Closed loop, fixed counts.
 *
 * Two clients: `sdk` is @aws-sdk/client-apprunner for every call (what users run); `replay`
 * re-sends requests that SDK signed over plain node:http, which the server still verifies,
 * so the rows show the server's own latency when the client is not the bottleneck.
 *
 *   node dist/bench/api-latency.js [--services 25] [--requests 5000] [--warmup 5000]
 *     [--concurrency 16] [--out results.json] [--server-node-args="--cpu-prof --cpu-prof-dir=DIR"]
 *     [--server-output FILE]   (what the server printed, e.g. with --server-node-args=--trace-gc-nvp)
 *     [--clients sdk,replay]   (e.g. --clients replay: only the server-bound rows, a quicker run)
 *     [--operations DescribeService,ListServices]   (e.g. one operation, for more runs in the same minutes)
 */
import { DescribeServiceCommand, ListServicesCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { positive } from "./lib/args.js";
import { captureExchanges, type Exchange } from "./lib/capture.js";
import { spawnReady, type ReadyChild } from "./lib/child.js";
import { latencyReport, type ClientKind, type Operation, type PhaseResult, type Target } from "./lib/latency-report.js";
import { runLoad } from "./lib/load.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, createServices, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { cpuTimeMs, mainThreadCpuTimeMs } from "./lib/proc-status.js";
import { replayClient } from "./lib/replay.js";

const BASELINE_SERVER = fileURLToPath(new URL("./lib/baseline-server.js", import.meta.url));

const { values: args } = parseArgs({
  options: {
    services: { type: "string", default: "25" },
    requests: { type: "string", default: "5000" },
    // 1000 no longer reached a steady state in the first row (DescribeService): V8 was still
    // optimizing the server's larger code on its background threads, ~40 µs a request of
    // process CPU that a later row does not pay (docs/performance.md, December).
    warmup: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "16" },
    out: { type: "string" },
    "server-node-args": { type: "string" },
    // What the server printed (e.g. with --server-node-args=--trace-gc-nvp), written here when it stops.
    "server-output": { type: "string" },
    clients: { type: "string", default: "sdk,replay" },
    operations: { type: "string", default: "DescribeService,ListServices" },
  },
});
const SERVICES = positive("services", args.services);
const REQUESTS = positive("requests", args.requests);
const WARMUP = positive("warmup", args.warmup);
const CONCURRENCY = positive("concurrency", args.concurrency);
const CLIENTS = (["sdk", "replay"] as const).filter((c) => args.clients.split(",").includes(c));
if (CLIENTS.length === 0) throw new Error("--clients takes sdk, replay or both (comma-separated)");
const OPERATIONS = (["DescribeService", "ListServices"] as const).filter((o) => args.operations.split(",").includes(o));
if (OPERATIONS.length === 0) throw new Error("--operations takes DescribeService, ListServices or both (comma-separated)");

interface Phase {
  client: ClientKind;
  target: Target;
  operation: Operation;
  serverPid: number;
  responseBytes: number;
  call: (i: number) => Promise<unknown>;
}

async function measure(p: Phase): Promise<PhaseResult> {
  await runLoad(p.call, { concurrency: CONCURRENCY, requests: WARMUP });
  const serverCpu = cpuTimeMs(p.serverPid);
  const serverMainCpu = mainThreadCpuTimeMs(p.serverPid);
  const clientCpu = process.cpuUsage();
  const summary = await runLoad(p.call, { concurrency: CONCURRENCY, requests: REQUESTS });
  const clientUsed = process.cpuUsage(clientCpu);
  const { call: _call, serverPid: _pid, ...labels } = p;
  return {
    ...labels,
    ...summary,
    serverCpuUsPerRequest: ((cpuTimeMs(p.serverPid) - serverCpu) * 1000) / summary.requests,
    serverMainThreadCpuUsPerRequest: ((mainThreadCpuTimeMs(p.serverPid) - serverMainCpu) * 1000) / summary.requests,
    clientCpuUsPerRequest: (clientUsed.user + clientUsed.system) / summary.requests,
  };
}

/** One signed DescribeService per service and one ListServices (default page of 20), with answers. */
async function captureWorkload(client: AppRunnerClient, arns: readonly string[]): Promise<{ describe: Exchange[]; list: Exchange }> {
  const captured = captureExchanges(client);
  const describe: Exchange[] = [];
  for (const arn of arns) {
    await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
    describe.push(captured.last());
  }
  await client.send(new ListServicesCommand({ MaxResults: 20 }));
  return { describe, list: captured.last() };
}

async function main(): Promise<void> {
  const machine = machineFacts();
  const scratch = mkdtempSync(join(tmpdir(), "openrunner-bench-baseline-"));
  const cleanups: (() => void)[] = [];
  let openrunner: BenchOpenRunner | undefined;
  let baseline: ReadyChild | undefined;
  try {
    // Node flags for the server only (e.g. --cpu-prof, which NODE_OPTIONS does not accept).
    // No built-in registry: its fixed port (8601) may be held by another server on the machine, and the bench calls only the App Runner API.
    openrunner = await startOpenRunnerChild(args["server-node-args"]?.split(/\s+/).filter(Boolean) ?? [], {
      upArgs: ["--runtime", "none", "--registry-port", "0"],
    });
    const orSdk = benchClient(openrunner.endpoint, openrunner.credentials, CONCURRENCY);
    cleanups.push(() => orSdk.destroy());
    const arns = await createServices(orSdk, SERVICES);

    const captureClient = benchClient(openrunner.endpoint, openrunner.credentials, 1);
    cleanups.push(() => captureClient.destroy());
    const work = await captureWorkload(captureClient, arns);
    const describeBody = work.describe[0]?.responseBody ?? "";
    const listBody = work.list.responseBody;
    // OpenRunner's exact response bytes become the baseline server's fixed answers.
    const bodiesFile = join(scratch, "bodies.json");
    writeFileSync(bodiesFile, JSON.stringify({ "AppRunner.DescribeService": describeBody, "AppRunner.ListServices": listBody }));
    baseline = await spawnReady([BASELINE_SERVER, bodiesFile]);
    // The baseline checks no signature; the SDK still signs every request, as it does for OpenRunner.
    const blSdk = benchClient(baseline.ready, { accessKeyId: "AKIAEXAMPLEBASELINE0", secretAccessKey: "baseline" }, CONCURRENCY);
    cleanups.push(() => blSdk.destroy());
    const orReplay = replayClient(openrunner.endpoint, CONCURRENCY);
    const blReplay = replayClient(baseline.ready, CONCURRENCY);
    cleanups.push(() => orReplay.destroy(), () => blReplay.destroy());

    const servers = [
      { target: "openrunner", pid: openrunner.server.pid, sdk: orSdk, replay: orReplay },
      { target: "baseline", pid: baseline.pid, sdk: blSdk, replay: blReplay },
    ] as const;
    const phases: Phase[] = [];
    for (const client of CLIENTS) {
      for (const operation of OPERATIONS) {
        // Alternate servers row by row so a noisy moment on the machine hits both alike.
        for (const s of servers) {
          const base = { client, target: s.target, operation, serverPid: s.pid };
          if (operation === "DescribeService") {
            const call =
              client === "sdk"
                ? (i: number) => s.sdk.send(new DescribeServiceCommand({ ServiceArn: arns[i % arns.length] }))
                : (i: number) => s.replay.send(work.describe[i % work.describe.length]?.request ?? work.list.request);
            phases.push({ ...base, responseBytes: Buffer.byteLength(describeBody), call });
          } else {
            const call = client === "sdk" ? () => s.sdk.send(new ListServicesCommand({ MaxResults: 20 })) : () => s.replay.send(work.list.request);
            phases.push({ ...base, responseBytes: Buffer.byteLength(listBody), call });
          }
        }
      }
    }
    const results: PhaseResult[] = [];
    for (const phase of phases) results.push(await measure(phase));

    process.stdout.write(
      `## API latency (${machine.date})\n\n` +
        `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.platform}; ` +
        `${SERVICES} services, concurrency ${CONCURRENCY}, ${WARMUP} warm-up + ${REQUESTS} measured requests per row.\n\n` +
        `${latencyReport(results)}\n`,
    );
    if (args.out) {
      const config = { services: SERVICES, requests: REQUESTS, warmup: WARMUP, concurrency: CONCURRENCY };
      writeFileSync(args.out, `${JSON.stringify({ machine, config, results }, null, 2)}\n`);
    }
  } finally {
    for (const cleanup of cleanups) cleanup();
    await baseline?.stop();
    await openrunner?.close();
    if (args["server-output"] && openrunner) writeFileSync(args["server-output"], openrunner.server.output());
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`api-latency: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
