/**
 * What authorization adds to a call: the same DescribeService signed by the root key (which
 * policies never bind) and by an IAM user with ten policies of ten statements
 * (bench/lib/authz-policies.ts), against one OpenRunner child, in alternating rows of the same
 * run. Requests the SDK signed are re-sent over plain node:http (the replay client), so the
 * rows show the server's latency, not the SDK's. Then the authorizer alone, in this process:
 * `authorize()` per call for both principals, timed in batches.
 *
 *   node dist/bench/authz-latency.js [--requests 5000] [--warmup 3000] [--rounds 3]
 *     [--concurrency 1] [--services 5] [--out results.json]
 */
import { DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createAuthorizer } from "../src/iam/authorizer.js";
import type { Principal } from "../src/iam/principal.js";
import { BENCH_USER, benchPolicySource, benchPrincipal } from "./lib/authz-policies.js";
import { positive } from "./lib/args.js";
import { captureExchanges, type SignedRequest } from "./lib/capture.js";
import { spawnReady, type ReadyChild } from "./lib/child.js";
import { runLoad } from "./lib/load.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, createServices, readCredentials } from "./lib/openrunner.js";
import { cpuTimeMs } from "./lib/proc-status.js";
import { replayClient } from "./lib/replay.js";
import { fmt, markdownTable, percentile, type LatencySummary } from "./lib/stats.js";

const AUTHZ_SERVER = fileURLToPath(new URL("./lib/authz-server.js", import.meta.url));

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    warmup: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "1" },
    services: { type: "string", default: "5" },
    out: { type: "string" },
  },
});
const REQUESTS = positive("requests", args.requests);
const WARMUP = positive("warmup", args.warmup);
const ROUNDS = positive("rounds", args.rounds);
const CONCURRENCY = positive("concurrency", args.concurrency);
const SERVICES = positive("services", args.services);

type Who = "root" | "user (10 policies x 10 statements)";
interface Row extends LatencySummary {
  who: Who;
  round: number;
  serverCpuUsPerRequest: number;
}

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/** authorize() alone, in this process: batches of `batch` calls, each batch's time per call (µs). */
function authorizerAlone(principal: Principal, resource: string, batches: number, batch: number): { p50: number; p99: number } {
  const authz = createAuthorizer({ policies: benchPolicySource(), resourceTags: () => undefined, accountId: principal.accountId, region: "us-east-1" });
  const requests = [{ action: "apprunner:DescribeService", resource }];
  const perCall: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) authz.authorize(principal, requests, { sourceIp: "127.0.0.1", secureTransport: false, time: Date.now() });
    perCall.push(((performance.now() - start) * 1000) / batch);
  }
  const sorted = perCall.slice(batches / 10).sort((a, b) => a - b); // the first tenth warms V8 up
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main(): Promise<void> {
  const machine = machineFacts();
  const dataDir = mkdtempSync(join(tmpdir(), "openrunner-bench-authz-"));
  const cleanups: (() => void)[] = [];
  let server: ReadyChild | undefined;
  try {
    server = await spawnReady([AUTHZ_SERVER, dataDir]);
    const endpoint = server.ready;
    const rootKey = readCredentials(join(dataDir, "credentials"));
    const root = benchClient(endpoint, rootKey, 1);
    cleanups.push(() => root.destroy());
    const arns = await createServices(root, SERVICES);

    // One signed DescribeService per service and principal; the server verifies each replay.
    const signed = async (key: { accessKeyId: string; secretAccessKey: string }): Promise<SignedRequest[]> => {
      const client = benchClient(endpoint, key, 1);
      const captured = captureExchanges(client);
      const out: SignedRequest[] = [];
      for (const arn of arns) {
        await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
        out.push(captured.last().request);
      }
      client.destroy();
      return out;
    };
    const workload: Record<Who, SignedRequest[]> = {
      root: await signed(rootKey),
      "user (10 policies x 10 statements)": await signed(BENCH_USER),
    };
    const replay = replayClient(endpoint, CONCURRENCY);
    cleanups.push(() => replay.destroy());

    const rows: Row[] = [];
    const pid = server.pid;
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate principals row by row so a noisy moment on the machine hits both alike.
      for (const who of Object.keys(workload) as Who[]) {
        const reqs = workload[who];
        const call = (i: number): Promise<void> => replay.send(reqs[i % reqs.length] ?? reqs[0] ?? ({} as SignedRequest));
        await runLoad(call, { concurrency: CONCURRENCY, requests: round === 1 ? WARMUP : Math.ceil(WARMUP / 5) });
        const cpu = cpuTimeMs(pid);
        const summary = await runLoad(call, { concurrency: CONCURRENCY, requests: REQUESTS });
        rows.push({ who, round, ...summary, serverCpuUsPerRequest: ((cpuTimeMs(pid) - cpu) * 1000) / summary.requests });
      }
    }

    const byWho = (who: Who): Row[] => rows.filter((r) => r.who === who);
    const med = (who: Who, f: (r: Row) => number): number => median(byWho(who).map(f));
    const whos = Object.keys(workload) as Who[];
    const table = markdownTable(
      ["principal", "p50 ms", "p99 ms", "req/s", "server CPU µs/req"],
      whos.map((w) => [w, fmt(med(w, (r) => r.p50), 3), fmt(med(w, (r) => r.p99), 3), fmt(med(w, (r) => r.throughput), 0), fmt(med(w, (r) => r.serverCpuUsPerRequest), 0)]),
    );
    const [rootWho, userWho] = whos as [Who, Who];
    const addedP50Us = (med(userWho, (r) => r.p50) - med(rootWho, (r) => r.p50)) * 1000;
    const addedCpuUs = med(userWho, (r) => r.serverCpuUsPerRequest) - med(rootWho, (r) => r.serverCpuUsPerRequest);
    const account = /arn:aws:apprunner:[^:]+:(\d{12}):/.exec(arns[0] ?? "")?.[1] ?? "000000000000";
    const alone = {
      user: authorizerAlone(benchPrincipal(account), arns[0] ?? "*", 400, 1000),
      root: authorizerAlone({ ...benchPrincipal(account), type: "Root", arn: `arn:aws:iam::${account}:root` }, arns[0] ?? "*", 400, 1000),
    };
    process.stdout.write(
      `## Authorization latency (${machine.date})\n\n` +
        `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}); DescribeService over the replay client, concurrency ${CONCURRENCY}, ` +
        `${ROUNDS} rounds of ${REQUESTS} requests per principal (medians of the rounds).\n\n${table}\n\n` +
        `Added by the user's policies: p50 ${addedP50Us >= 0 ? "+" : ""}${fmt(addedP50Us, 1)} µs per call, server CPU ${addedCpuUs >= 0 ? "+" : ""}${fmt(addedCpuUs, 1)} µs per call.\n\n` +
        `authorize() alone (in process, per call): user p50 ${fmt(alone.user.p50, 2)} µs / p99 ${fmt(alone.user.p99, 2)} µs; root p50 ${fmt(alone.root.p50, 3)} µs / p99 ${fmt(alone.root.p99, 3)} µs.\n`,
    );
    if (args.out) {
      const config = { requests: REQUESTS, warmup: WARMUP, rounds: ROUNDS, concurrency: CONCURRENCY, services: SERVICES };
      writeFileSync(args.out, `${JSON.stringify({ machine, config, rows, addedP50Us, addedCpuUs, alone }, null, 2)}\n`);
    }
  } finally {
    for (const cleanup of cleanups) cleanup();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`authz-latency: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
