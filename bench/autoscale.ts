/**
 * Scale-out speed: a load step to 4 x MaxConcurrency on a service at MinSize, through the
 * HAProxy data plane, until the new instances serve. `openrunner up --runtime local` as a
 * child, the concurrency app (test/support/app-images.ts pushConcurrencyApp: /cgi-bin/slow
 * holds each request SLOW_MS and answers `slow done on <hostname>`, the hostname being the
 * instance's container id short form). Must run as root (runc). Talks only to 127.x addresses.
 *
 *   node dist/bench/autoscale.js [--reps 3] [--max-concurrency 4] [--max-size 5] [--slow-ms 300]
 *                                [--quiet-ms 3000] [--load-ms 15000] [--out results.json]
 *
 * Each repetition uses a new service (scale-in takes a 60 s stable window plus a 30 s delay, by
 * design), created with MinSize 1, then left quiet for `--quiet-ms`. Then `4 x MaxConcurrency`
 * closed-loop clients (node:http, one connection per request as busybox httpd closes them) send
 * GET /cgi-bin/slow for `--load-ms`. Measured from the step (first request sent):
 *  - decision: the autoscaler's "autoscaler: scaling" log line (openrunner's stderr JSON logs);
 *  - records: each new instance's record in <data-dir>/runtime/instances (polled every 20 ms);
 *  - serving: the first response from each new hostname through the data plane;
 *  - failed requests (anything but a 200), which must be 0.
 * Target (issue 4): <= 3 s from the step until the new instances serve.
 */
import {
  AppRunnerClient,
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
} from "@aws-sdk/client-apprunner";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:http";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { pushConcurrencyApp } from "../test/support/app-images.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { haproxyCommand } from "./lib/haproxy-admin.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { hostInstances } from "./lib/runtime-host.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    "max-concurrency": { type: "string", default: "4" },
    "max-size": { type: "string", default: "5" },
    "slow-ms": { type: "string", default: "300" },
    "quiet-ms": { type: "string", default: "3000" },
    "load-ms": { type: "string", default: "15000" },
    out: { type: "string" },
  },
});
const REPS = Number(args.reps);
const MAX_CONCURRENCY = Number(args["max-concurrency"]);
const MAX_SIZE = Number(args["max-size"]);
const SLOW_MS = Number(args["slow-ms"]);
const QUIET_MS = Number(args["quiet-ms"]);
const LOAD_MS = Number(args["load-ms"]);
for (const [name, v] of Object.entries({ REPS, MAX_CONCURRENCY, MAX_SIZE, SLOW_MS, QUIET_MS, LOAD_MS })) {
  if (!Number.isInteger(v) || v < 0 || v > 600_000) throw new Error(`${name} must be a non-negative integer`);
}
if (REPS < 1 || REPS > 20 || MAX_CONCURRENCY < 1 || MAX_SIZE < 2 || LOAD_MS < 1000) throw new Error("reps 1-20, max-concurrency >= 1, max-size >= 2, load-ms >= 1000");
const CLIENTS = 4 * MAX_CONCURRENCY;
const TARGET_MS = 3000;

interface LogLine {
  /** Wall-clock ms of the line (its own `time` field). */
  t: number;
  message: string;
  fields: Record<string, unknown>;
}

interface Rep {
  rep: number;
  serviceId: string;
  /** Every "autoscaler: scaling" decision during the load: ms after the step, instances asked for, why. */
  decisions: { ms: number; desired: number; reason: string }[];
  /** The most instances asked for during the load. */
  desired: number;
  /** ms after the step: the autoscaler's first "scaling" log line for the service. */
  decisionMs: number;
  /** ms after the step: the decision that asked for `desired`. */
  finalDecisionMs: number;
  /** The runtime's "scaling" lines (it holds the service's lock and starts instances): ms after the step, target count. */
  runtimeScalings: { ms: number; to: number }[];
  /** ms after the step when each new instance record appeared ("created"), in order. */
  recordMs: number[];
  /** ms after the step when each new instance appeared as a server in HAProxy's backend (admin socket, polled every 20 ms). */
  inRouterMs: number[];
  /** ms after the step of the first response from each new hostname, in order. */
  servingMs: number[];
  /** ms after the step at which those first responses' requests were sent. */
  servingSentMs: number[];
  /** ms after the step when all the instances asked for (desired − 1 new ones) served. */
  allServingMs: number;
  requests: number;
  failed: number;
  failures: string[];
  latencyP50: number;
  latencyP99: number;
  /** Responses from the first instance / from new ones, during the load. */
  hostnames: Record<string, number>;
  loadAvg: number;
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

/** One GET through the data plane with the service's Host; resolves to status and body. */
function get(port: number, host: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write("bench/autoscale must run as root (the local runtime runs runc)\n");
    process.exitCode = 2;
    return;
  }
  const machine = machineFacts();
  const addressBlock = 203 + Math.floor(Math.random() * 48);
  const httpPort = await freePort();
  let registry: TestRegistry | undefined;
  let openrunner: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  const arns: string[] = [];
  const reps: Rep[] = [];
  const logs: LogLine[] = [];
  const cleanup: string[] = [];
  let prefix = "";

  try {
    registry = await startRegistry();
    await pushConcurrencyApp(registry.host, "slow", "1");
    openrunner = await startOpenRunnerChild([], {
      upArgs: [
        "--runtime", "local", "--router", "haproxy", "--http-port", String(httpPort), "--https-port", "0",
        "--address-block", String(addressBlock), "--image-poll-seconds", "0",
      ],
      readyTimeoutMs: 60_000,
    });
    // openrunner's logs: one JSON object per line on stderr.
    let partial = "";
    openrunner.server.child.stderr?.on("data", (chunk: Buffer) => {
      partial += chunk.toString();
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          logs.push({ t: Date.parse(String(o.time)), message: String(o.message), fields: o });
        } catch {
          // Not a log line.
        }
      }
    });
    client = benchClient(openrunner.endpoint, openrunner.credentials, 4);
    const asc = await client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: "bench-step", MinSize: 1, MaxSize: MAX_SIZE, MaxConcurrency: MAX_CONCURRENCY }),
    );
    const ascArn = asc.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";

    for (let rep = 0; rep < REPS; rep++) {
      const out = await client.send(
        new CreateServiceCommand({
          ServiceName: `bench-step-${rep}`,
          SourceConfiguration: {
            AutoDeploymentsEnabled: false,
            ImageRepository: {
              ImageIdentifier: `${registry.host}/slow:1`,
              ImageRepositoryType: "ECR_PUBLIC",
              ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: { SLOW_MS: String(SLOW_MS) } },
            },
          },
          InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
          AutoScalingConfigurationArn: ascArn,
        }),
      );
      const arn = out.Service?.ServiceArn ?? "";
      const serviceId = out.Service?.ServiceId ?? "";
      arns.push(arn);
      const deadline = Date.now() + 120_000;
      let host = "";
      for (;;) {
        const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
        if (s?.Status === "RUNNING") {
          host = s.ServiceUrl ?? "";
          break;
        }
        if (s?.Status !== "OPERATION_IN_PROGRESS") throw new Error(`bench-step-${rep} ended ${s?.Status ?? "?"}`);
        if (Date.now() > deadline) throw new Error(`bench-step-${rep} not RUNNING after 120 s`);
        await sleep(200);
      }
      const first = await get(httpPort, host, "/cgi-bin/slow", 10_000);
      const firstHost = /slow done on (\S+)/.exec(first.body)?.[1];
      if (first.status !== 200 || !firstHost) throw new Error(`bench-step-${rep}: ${first.status} ${first.body.slice(0, 100)}`);
      const known = new Set(hostInstances(openrunner.dataDir, addressBlock).filter((i) => i.serviceId === serviceId).map((i) => i.instanceId));
      prefix ||= hostInstances(openrunner.dataDir, addressBlock)[0]?.prefix ?? "";
      await sleep(QUIET_MS);

      // The step.
      const logsBefore = logs.length;
      const adminSocket = join(openrunner.dataDir, "router", "admin.sock");
      const step = Date.now();
      const stepPerf = performance.now();
      const hostnames = new Map<string, number>([[firstHost, 0]]);
      const servingAt = new Map<string, number>();
      const servingSentAt = new Map<string, number>();
      const routerAt = new Map<string, number>();
      const recordAt = new Map<string, number>();
      const latencies: number[] = [];
      const failures: string[] = [];
      let running = true;
      const worker = async (): Promise<void> => {
        while (running && performance.now() - stepPerf < LOAD_MS) {
          const t0 = performance.now();
          try {
            const r = await get(httpPort, host, "/cgi-bin/slow", 30_000);
            const name = /slow done on (\S+)/.exec(r.body)?.[1];
            if (r.status !== 200 || !name) {
              failures.push(`HTTP ${r.status}: ${r.body.slice(0, 80)}`);
              continue;
            }
            latencies.push(performance.now() - t0);
            hostnames.set(name, (hostnames.get(name) ?? 0) + 1);
            if (name !== firstHost && !servingAt.has(name)) {
              servingAt.set(name, Math.round(performance.now() - stepPerf));
              servingSentAt.set(name, Math.round(t0 - stepPerf));
            }
          } catch (err) {
            failures.push(err instanceof Error ? err.message : String(err));
          }
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, () => worker()));
      // Instance records of this service as they appear (bounded by the load's duration).
      const poll = (async () => {
        while (running && performance.now() - stepPerf < LOAD_MS) {
          for (const i of hostInstances(openrunner?.dataDir ?? "", addressBlock)) {
            if (i.serviceId === serviceId && !known.has(i.instanceId) && !recordAt.has(i.instanceId)) recordAt.set(i.instanceId, Math.round(performance.now() - stepPerf));
          }
          try {
            // `show servers state <backend>`: one line per server, its name (the instance id) in the 4th field.
            const state = await haproxyCommand(adminSocket, `show servers state s_${serviceId}`, 1000);
            for (const line of state.split("\n")) {
              const name = line.split(" ")[3];
              if (name && /^\d/.test(line) && !known.has(name) && !routerAt.has(name)) routerAt.set(name, Math.round(performance.now() - stepPerf));
            }
          } catch {
            // A reload in progress: try again next round.
          }
          await sleep(20);
        }
      })();
      await load;
      running = false;
      await poll;

      const mine = logs.slice(logsBefore).filter((l) => l.fields.serviceId === serviceId);
      const decisions = mine
        .filter((l) => l.message === "autoscaler: scaling")
        .map((l) => ({ ms: l.t - step, desired: Number(l.fields.desired), reason: String(l.fields.reason) }));
      const runtimeScalings = mine.filter((l) => l.message === "scaling").map((l) => ({ ms: l.t - step, to: Number(l.fields.to) }));
      const desired = Math.max(...decisions.map((d) => d.desired), 1);
      const servingMs = [...servingAt.values()].sort((a, b) => a - b);
      const wanted = desired - 1;
      const sortedLat = [...latencies].sort((a, b) => a - b);
      const r: Rep = {
        rep,
        serviceId,
        decisions,
        desired,
        decisionMs: decisions[0]?.ms ?? Number.NaN,
        finalDecisionMs: decisions.find((d) => d.desired === desired)?.ms ?? Number.NaN,
        runtimeScalings,
        recordMs: [...recordAt.values()].sort((a, b) => a - b),
        inRouterMs: [...routerAt.values()].sort((a, b) => a - b),
        servingMs,
        servingSentMs: [...servingSentAt.values()].sort((a, b) => a - b),
        allServingMs: servingMs.length >= wanted ? (servingMs[wanted - 1] ?? Number.NaN) : Number.NaN,
        requests: latencies.length + failures.length,
        failed: failures.length,
        failures: failures.slice(0, 10),
        latencyP50: percentile(sortedLat, 50),
        latencyP99: percentile(sortedLat, 99),
        hostnames: Object.fromEntries(hostnames),
        loadAvg: loadavg()[0] ?? Number.NaN,
      };
      reps.push(r);
      process.stderr.write(
        `rep ${rep}: decisions ${decisions.map((d) => `${d.ms} ms -> ${d.desired}`).join(", ")}; ` +
          `runtime scaling ${runtimeScalings.map((d) => `${d.ms} ms -> ${d.to}`).join(", ")}; records ${r.recordMs.join("/")} ms, ` +
          `in HAProxy ${r.inRouterMs.join("/")} ms, new hostnames answered ${servingMs.join("/")} ms (sent ${r.servingSentMs.join("/")}), ` +
          `all ${fmt(r.allServingMs, 0)} ms; ${r.requests} requests, ${r.failed} failed\n`,
      );
      await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
      const gone = Date.now() + 60_000;
      while (hostInstances(openrunner.dataDir, addressBlock).some((i) => i.serviceId === serviceId) && Date.now() < gone) await sleep(200);
    }
    report();
  } finally {
    if (client && openrunner) cleanup.push(...(await deleteServicesAndWait(client, arns, openrunner.dataDir, 60_000)));
    client?.destroy();
    if (openrunner) {
      await openrunner.close();
      cleanup.push("openrunner stopped (SIGTERM by pid)");
    }
    await registry?.stop();
    if (prefix) cleanup.push(hostLeftoversLine(prefix));
    process.stderr.write(`cleanup: ${cleanup.join("; ")}\n`);
  }

  function report(): void {
    const span = (xs: number[]): string => (xs.length ? `${xs[0]}–${xs[xs.length - 1]}` : "none");
    const rows = reps.map((r) => [
      String(r.rep),
      `${fmt(r.decisionMs, 0)} / ${fmt(r.finalDecisionMs, 0)}`,
      String(r.desired),
      span(r.recordMs),
      span(r.inRouterMs),
      span(r.servingMs),
      fmt(r.allServingMs, 0),
      Number.isFinite(r.allServingMs) ? (r.allServingMs <= TARGET_MS ? "met" : "missed") : "not reached",
      `${r.requests} / ${r.failed}`,
      `${fmt(r.latencyP50, 0)} / ${fmt(r.latencyP99, 0)}`,
      fmt(r.loadAvg, 1),
    ]);
    const all = reps.map((r) => r.allServingMs).filter(Number.isFinite);
    const facts =
      `${machine.date}, nproc ${machine.nproc} (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `MinSize 1, MaxSize ${MAX_SIZE}, MaxConcurrency ${MAX_CONCURRENCY}, SLOW_MS ${SLOW_MS}, ${CLIENTS} closed-loop clients for ${LOAD_MS} ms after ${QUIET_MS} ms quiet.`;
    const table = markdownTable(
      [
        "rep",
        "first / final decision ms",
        "desired",
        "new records ms (first–last)",
        "in HAProxy ms (first–last)",
        "new hostnames answered ms (first–last)",
        "all new serving ms",
        "target <= 3000 ms",
        "requests / failed",
        "latency p50 / p99 ms",
        "load avg",
      ],
      rows,
    );
    process.stdout.write(
      `${facts}\n\n${table}\n\nMedian step → all new instances serving: ${fmt(median(all), 0)} ms over ${all.length} of ${reps.length} repetitions; ` +
        `failed requests: ${reps.reduce((s, r) => s + r.failed, 0)}.\n` +
        reps.map((r) => `- rep ${r.rep}: ${r.decisions.map((d) => `${d.ms} ms -> ${d.desired}: ${d.reason}`).join("; ")}`).join("\n") +
        "\n",
    );
    if (args.out) writeFileSync(args.out, JSON.stringify({ machine, params: { REPS, MAX_CONCURRENCY, MAX_SIZE, SLOW_MS, QUIET_MS, LOAD_MS, CLIENTS }, reps }, null, 2));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
