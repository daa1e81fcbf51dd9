/**
 * Dockerfile builds (OpenRunner's extension) as a user meets them: `openrunner up --runtime
 * local` as a child process with the built-in registry; the Node.js base image in the user's
 * own ECR repository (copied there once); a git repository with a multi-stage Node.js app
 * (test/support/dockerfile-app.ts). Must run as root (runc, buildah, namespaces); talks only to
 * 127.x, plus npm's registry from inside the build if the app needed it (this one does not).
 *
 *   node dist/bench/dockerfile.js [--runs 2] [--pushes 2] [--out results.json]
 *
 * Per run, a new service (so its layer cache is empty: a cold build), then `--pushes` commits
 * that change only the app's message (warm builds: every step before `COPY . .` is cached):
 * - build: from the deployment log, buildah's own time ("Dockerfile built in") and the build's
 *   start to its image ready in the image store ("ready in"), which adds writing and importing
 *   the image;
 * - serving: CreateService (or StartDeployment) to the new body through the data plane.
 */
import { CreateServiceCommand, StartDeploymentCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { accountIn, copyToBuiltInRegistry } from "../test/support/built-in-registry.js";
import { multiStage, packageJson, SERVER_JS } from "../test/support/dockerfile-app.js";
import { codeServiceInput, makeRepo, type TestRepo } from "../test/support/git-server.js";
import { pushNodeBaseImage } from "../test/support/node-base-image.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { machineFacts } from "./lib/machine.js";
import { msUntilServed } from "./lib/serving.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "2" }, pushes: { type: "string", default: "2" }, out: { type: "string" } },
});
const RUNS = Number(args.runs);
const PUSHES = Number(args.pushes);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(PUSHES) || PUSHES < 0) throw new Error("--runs must be >= 1 and --pushes >= 0");

interface Build {
  kind: "cold" | "warm";
  /** buildah's own time, seconds. */
  buildahS: number;
  /** The build's start to its image ready in the store, seconds. */
  readyS: number;
  /** CreateService or StartDeployment to the new body through the data plane, seconds. */
  servingS: number;
}

/** Seconds from `since` to the data plane answering with a body `body` matches. */
const servedS = async (port: number, host: string, body: RegExp, since: number): Promise<number> =>
  (await msUntilServed(port, host, (b) => body.test(b), since, { everyMs: 50, timeoutMs: 600_000 })) / 1000;

/** The first duration after `label` in the log, in seconds (formatDuration writes "850 ms" or "8.6 s"). */
const seconds = (log: string, label: string): number => {
  const m = new RegExp(`${label} ([\\d.]+) (ms|s)\\b`).exec(log);
  return m?.[1] ? Number(m[1]) / (m[2] === "ms" ? 1000 : 1) : Number.NaN;
};

async function main(): Promise<void> {
  let source: TestRegistry | undefined;
  let or: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  let logs: CloudWatchLogsClient | undefined;
  const repos: TestRepo[] = [];
  const arns: string[] = [];
  const builds: Build[] = [];
  try {
    source = await startRegistry();
    const sourceBase = await pushNodeBaseImage(source.host);
    const [httpPort, registryPort] = [await freePort(), await freePort()];
    or = await startOpenRunnerChild([], {
      upArgs: ["--runtime", "local", "--https-port", "0", "--http-port", String(httpPort), "--registry-port", String(registryPort), "--code-poll-seconds", "0"],
      readyTimeoutMs: 120_000,
    });
    const account = accountIn(or.server.output());
    const base = await copyToBuiltInRegistry({ endpoint: or.endpoint, credentials: or.credentials, registryPort, account }, sourceBase, "node", "18");
    client = benchClient(or.endpoint, or.credentials, 4);
    logs = new CloudWatchLogsClient({ endpoint: or.endpoint, region: "us-east-1", credentials: or.credentials, maxAttempts: 1 });
    const deploymentLog = async (name: string, id: string, operationId: string): Promise<string> => {
      const out = await logs?.send(new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${name}/${id}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }));
      return (out?.events ?? []).map((e) => e.message ?? "").join("\n");
    };
    const record = async (kind: Build["kind"], name: string, id: string, operationId: string, servingS: number): Promise<void> => {
      const log = await deploymentLog(name, id, operationId);
      const build = { kind, buildahS: seconds(log, "Dockerfile built in"), readyS: seconds(log, "ready in"), servingS };
      builds.push(build);
      process.stdout.write(`${JSON.stringify(build)}\n`);
    };

    for (let run = 1; run <= RUNS; run++) {
      const repo = makeRepo({ Dockerfile: multiStage(base), "package.json": packageJson("exit 0"), "server.js": SERVER_JS, "message.txt": "version 0\n" });
      repos.push(repo);
      const name = `bench-dockerfile-${run}`;
      const t = performance.now();
      const created = await client.send(
        new CreateServiceCommand(codeServiceInput(name, repo.dir)),
      );
      const service = created.Service;
      if (!service?.ServiceArn || !service.ServiceUrl || !service.ServiceId || !created.OperationId) throw new Error("CreateService returned no service");
      arns.push(service.ServiceArn);
      await record("cold", name, service.ServiceId, created.OperationId, await servedS(httpPort, service.ServiceUrl, /^version 0 /, t));
      for (let push = 1; push <= PUSHES; push++) {
        repo.commit({ "message.txt": `version ${push}\n` });
        const started = performance.now();
        const op = await client.send(new StartDeploymentCommand({ ServiceArn: service.ServiceArn }));
        await record("warm", name, service.ServiceId, op.OperationId ?? "", await servedS(httpPort, service.ServiceUrl, new RegExp(`^version ${push} `), started));
        await sleep(2_000); // the old instance drains before the next push
      }
    }
  } finally {
    if (client && or) {
      const left = await deleteServicesAndWait(client, arns, or.dataDir, 120_000).catch((e: unknown) => [String(e)]);
      process.stderr.write(`${left.join("; ")}\n`);
    }
    logs?.destroy();
    client?.destroy();
    await or?.close();
    await source?.stop();
    for (const repo of repos) rmSync(join(repo.dir, ".."), { recursive: true, force: true });
  }
  const rows = (["cold", "warm"] as const).map((kind) => {
    const of = builds.filter((b) => b.kind === kind);
    const med = (pick: (b: Build) => number): string => fmt(percentile([...of.map(pick)].sort((a, b) => a - b), 50), 1);
    const range = (pick: (b: Build) => number): string => `${fmt(Math.min(...of.map(pick)), 1)}–${fmt(Math.max(...of.map(pick)), 1)}`;
    return [kind, String(of.length), `${med((b) => b.buildahS)} (${range((b) => b.buildahS)})`, `${med((b) => b.readyS)} (${range((b) => b.readyS)})`, `${med((b) => b.servingS)} (${range((b) => b.servingS)})`, kind === "cold" ? "≤ 30" : "≤ 5"];
  });
  const table = markdownTable(["build", "n", "buildah s, median (range)", "build start → image ready s", "deploy call → new body served s", "target (build) s"], rows);
  process.stdout.write(`\n${JSON.stringify(machineFacts())}\n\n${table}\n${hostLeftoversLine("openrunner-bench-")}\n`);
  if (args.out) writeFileSync(args.out, JSON.stringify({ machine: machineFacts(), builds }, null, 2));
}

await main();
