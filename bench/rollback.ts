/**
 * Rollback to serving (issue 20): from the OpenRunner.RollbackService call to the data plane
 * answering with the old version's body, polled every 20 ms, beside a normal StartDeployment
 * of a new image (pull + start) in the same run. A real `openrunner up` (local runtime: runc +
 * HAProxy) and a real registry on loopback; busybox hello images.
 * Must run as root (runc). Talks only to 127.x addresses.
 *
 *   node dist/bench/rollback.js [--runs 5] [--out results.json]
 *
 * Each run pushes a new image under the tag the service follows, deploys it (StartDeployment),
 * then rolls back to the deployment before it (the version that served before), timing both
 * from the API call to the first 200 with the expected body. Target: rollback <= 2 s.
 */
import { AppRunnerClient, CreateServiceCommand, DescribeServiceCommand, StartDeploymentCommand } from "@aws-sdk/client-apprunner";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { callApi, endpointOfDataDir } from "../src/cli/api-client.js";
import { pushHelloApp } from "../test/support/app-images.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { msUntilServed } from "./lib/serving.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, out: { type: "string" } } });
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) throw new Error("--runs must be an integer from 1 to 100");

interface Row {
  run: number;
  /** StartDeployment of a new image (pulled) -> its body served. */
  deployMs: number;
  /** RollbackService -> the previous version's body served. */
  rollbackMs: number;
}

const POLL = { everyMs: 20, timeoutMs: 120_000 };

async function settled(client: AppRunnerClient, arn: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    const status = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    if (status === "RUNNING") return;
    if (status !== "OPERATION_IN_PROGRESS") throw new Error(`the service is ${status ?? "gone"}`);
    await sleep(20);
  }
  throw new Error("the service did not settle");
}

async function main(): Promise<void> {
  let registry: TestRegistry | undefined;
  let or: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  const arns: string[] = [];
  const rows: Row[] = [];
  try {
    registry = await startRegistry();
    const httpPort = await freePort();
    or = await startOpenRunnerChild([], {
      upArgs: ["--runtime", "local", "--https-port", "0", "--http-port", String(httpPort), "--registry-port", "0", "--image-poll-seconds", "0"],
      readyTimeoutMs: 120_000,
    });
    client = benchClient(or.endpoint, or.credentials, 4);
    const at = endpointOfDataDir(or.dataDir);
    await pushHelloApp(registry.host, "bench-rollback", "live", "v0");
    const service = (
      await client.send(
        new CreateServiceCommand({
          ServiceName: "bench-rollback",
          SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/bench-rollback:live`, ImageRepositoryType: "ECR_PUBLIC" } },
          InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        }),
      )
    ).Service;
    if (!service?.ServiceArn || !service.ServiceUrl) throw new Error("CreateService returned no service");
    const arn = service.ServiceArn;
    const host = service.ServiceUrl;
    arns.push(arn);
    await msUntilServed(httpPort, host, (b) => b.trim() === "v0", performance.now(), POLL);
    await settled(client, arn);
    // The deployment before each new one serves v0 (the create, then each rollback to it).
    const serving = "v0";
    for (let run = 1; run <= RUNS; run++) {
      const next = `v${run}`;
      await pushHelloApp(registry.host, "bench-rollback", "live", next);
      let t = performance.now();
      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      const deployMs = await msUntilServed(httpPort, host, (b) => b.trim() === next, t, POLL);
      await settled(client, arn);
      t = performance.now();
      await callApi(at, "OpenRunner.RollbackService", { ServiceArn: arn });
      const rollbackMs = await msUntilServed(httpPort, host, (b) => b.trim() === serving, t, POLL);
      await settled(client, arn);
      const row = { run, deployMs, rollbackMs };
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    if (client && or) {
      const lines = await deleteServicesAndWait(client, arns, or.dataDir, 120_000).catch((e: unknown) => [String(e)]);
      process.stdout.write(`cleanup: ${lines.join("; ")}\n`);
    }
    client?.destroy();
    await or?.close();
    await registry?.stop();
  }
  const sorted = (pick: (r: Row) => number): number[] => rows.map(pick).sort((a, b) => a - b);
  const line = (label: string, pick: (r: Row) => number, target: string): string[] => {
    const v = sorted(pick);
    return [label, fmt(percentile(v, 50), 0), fmt(percentile(v, 90), 0), fmt(v.at(-1) ?? Number.NaN, 0), target];
  };
  const table = markdownTable(
    ["ms, API call -> data plane answers with the body", "p50", "p90", "max", "target"],
    [line("StartDeployment of a new image (pull + start)", (r) => r.deployMs, ""), line("RollbackService to the deployment before", (r) => r.rollbackMs, "<= 2000")],
  );
  process.stdout.write(`\n${JSON.stringify(machineFacts())}\n\n${table}\n${hostLeftoversLine("openrunner-bench-")}\n`);
  if (args.out) writeFileSync(args.out, JSON.stringify({ machine: machineFacts(), runs: rows }, null, 2));
}

await main();
