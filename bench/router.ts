/**
 * The data plane's cost: the same backend reached (a) directly at the instance's 127.x address,
 * (b) through nginx (Debian package, reverse proxy, as many workers as HAProxy has threads,
 * upstream keep-alive, no access log) and (c) through OpenRunner's HAProxy data plane (Host
 * header routing, as users reach a ServiceUrl), with wrk, in one run.
 * Must run as root (runc). Talks only to 127.x addresses. Needs wrk, nginx and gcc installed.
 *
 *   node dist/bench/router.js [--duration 10] [--reps 3] [--connections 50] [--threads 2]
 *                             [--warmup 3] [--busybox-duration 5] [--backend-workers 1]
 *                             [--latency-duration 5] [--latency-connections 1] [--out results.json]
 *
 * Two phases per repetition: throughput (wrk -c<connections>, which saturates a small machine, so
 * its p50 is mostly queueing in wrk, proxy and backend alike) and latency (wrk -t1
 * -c<latency-connections> for --latency-duration s, 0 to skip): the added p50 is taken from it.
 *
 * The main backend is a real OpenRunner service running bench/lib/fast-backend.ts (a static C
 * server with keep-alive): the busybox hello app closes every connection and forks per request,
 * which hides a proxy's cost (see that file). The busybox hello app is measured too, shorter
 * (`--busybox-duration`, 0 to skip), to show what users of that image get.
 * Targets (issue 4): >= 0.9x nginx's throughput and <= 0.25 ms added p50 over direct.
 */
import {
  AppRunnerClient,
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DescribeServiceCommand,
} from "@aws-sdk/client-apprunner";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pushHelloApp } from "../test/support/app-images.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { findGcc, pushFastBackend, FAST_BACKEND_BODY } from "./lib/fast-backend.js";
import { haproxyInfo } from "./lib/haproxy-admin.js";
import { machineFacts } from "./lib/machine.js";
import { findNginx, startNginxProxy, type NginxProxy } from "./lib/nginx.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { cpuTimeMs, sleep } from "./lib/proc-status.js";
import { processTree, treeCpuMs } from "./lib/processes.js";
import { hostInstances } from "./lib/runtime-host.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";
import { findWrk, runWrk, type WrkResult } from "./lib/wrk.js";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    reps: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    threads: { type: "string", default: "2" },
    warmup: { type: "string", default: "3" },
    "busybox-duration": { type: "string", default: "5" },
    "backend-workers": { type: "string", default: "1" },
    "latency-duration": { type: "string", default: "5" },
    "latency-connections": { type: "string", default: "1" },
    out: { type: "string" },
  },
});
const DURATION_S = Number(args.duration);
const REPS = Number(args.reps);
const CONNECTIONS = Number(args.connections);
const THREADS = Number(args.threads);
const WARMUP_S = Number(args.warmup);
const BUSYBOX_S = Number(args["busybox-duration"]);
const BACKEND_WORKERS = Number(args["backend-workers"]);
const LATENCY_S = Number(args["latency-duration"]);
const LATENCY_CONNECTIONS = Number(args["latency-connections"]);
for (const [name, v] of Object.entries({ DURATION_S, REPS, CONNECTIONS, THREADS, WARMUP_S, BUSYBOX_S, BACKEND_WORKERS, LATENCY_S, LATENCY_CONNECTIONS })) {
  if (!Number.isInteger(v) || v < 0 || v > 600) throw new Error(`${name} must be an integer from 0 to 600`);
}
if (DURATION_S < 1 || REPS < 1 || CONNECTIONS < 1 || THREADS < 1 || BACKEND_WORKERS < 1 || LATENCY_CONNECTIONS < 1) {
  throw new Error("duration, reps, connections, threads, backend-workers and latency-connections must be at least 1");
}

const TARGETS = ["direct", "nginx", "openrunner"] as const;
type Target = (typeof TARGETS)[number];
type Phase = "throughput" | "latency";

interface Run {
  backend: string;
  target: Target;
  phase: Phase;
  rep: number;
  wrk: Omit<WrkResult, "raw">;
  /** CPU of the proxy's processes (nginx master + workers, or HAProxy master + worker) per request, µs. */
  proxyCpuUsPerReq: number;
  /** CPU of the `openrunner up` node process per request, µs (it receives HAProxy's access log over UDP). */
  openrunnerCpuUsPerReq: number;
}

interface BackendSetup {
  name: string;
  serviceArn: string;
  host: string;
  address: string;
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
const range = (xs: number[], digits: number): string => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

function missingTools(): string[] {
  const missing: string[] = [];
  if (!findWrk()) missing.push("wrk (Debian: apt-get install wrk)");
  if (!findNginx()) missing.push("nginx (Debian: apt-get install nginx)");
  if (!findGcc()) missing.push("gcc and static libc (Debian: apt-get install gcc libc6-dev) for the fast backend");
  if (process.getuid?.() !== 0) missing.push("root (the local runtime runs runc)");
  return missing;
}

/** One GET over node:http (fetch does not let a caller set Host), bounded. */
function body(url: string, host?: string): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { headers: host ? { host } : {}, agent: false, timeout: 2000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    process.stderr.write(`bench/router needs, and does not install:\n${missing.map((m) => `  - ${m}`).join("\n")}\n`);
    process.exitCode = 2;
    return;
  }
  const machine = machineFacts();
  const addressBlock = 203 + Math.floor(Math.random() * 48);
  const httpPort = await freePort();
  let registry: TestRegistry | undefined;
  let openrunner: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  let nginx: NginxProxy | undefined;
  const arns: string[] = [];
  const runs: Run[] = [];
  const cleanup: string[] = [];
  let prefix = "";
  let haproxyFacts: Record<string, string> = {};
  let nbthread = 0;

  const createService = async (name: string, image: string): Promise<BackendSetup> => {
    if (!client || !openrunner) throw new Error("not started");
    // One instance, a cap above wrk's connections: nothing queues and the autoscaler stays put.
    const asc = await client.send(
      new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: `router-${name.replace(/^bench-router-/, "")}`, MinSize: 1, MaxSize: 1, MaxConcurrency: 200 }),
    );
    const out = await client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: {
            ImageIdentifier: image,
            ImageRepositoryType: "ECR_PUBLIC",
            ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: { WORKERS: String(BACKEND_WORKERS) } },
          },
        },
        // The whole machine: an instance's CPU quota must not be what is measured.
        InstanceConfiguration: { Cpu: "2 vCPU", Memory: "4 GB" },
        AutoScalingConfigurationArn: asc.AutoScalingConfiguration?.AutoScalingConfigurationArn,
      }),
    );
    const arn = out.Service?.ServiceArn ?? "";
    const id = out.Service?.ServiceId ?? "";
    arns.push(arn);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
      if (s?.Status === "RUNNING") {
        const inst = hostInstances(openrunner.dataDir, addressBlock).find((i) => i.serviceId === id);
        if (!inst) throw new Error(`${name} is RUNNING but has no instance record`);
        prefix ||= inst.prefix;
        const host = s.ServiceUrl ?? "";
        // Routed once the router answers 200 for its host.
        for (;;) {
          const r = await body(`http://127.0.0.1:${httpPort}/`, host);
          if (r?.status === 200) break;
          if (Date.now() > deadline) throw new Error(`${name}: the data plane does not answer 200 for ${host}`);
          await sleep(50);
        }
        return { name, serviceArn: arn, host, address: inst.address };
      }
      if (s?.Status !== "OPERATION_IN_PROGRESS") throw new Error(`${name} ended ${s?.Status ?? "?"}`);
      if (Date.now() > deadline) throw new Error(`${name} not RUNNING after 120 s`);
      await sleep(200);
    }
  };

  const haproxyMasterPid = (): number => {
    const dir = openrunner?.dataDir ?? "";
    return Number(readFileSync(join(dir, "router", "haproxy.pid"), "utf8").trim());
  };

  /** One wrk run against a target, with the CPU the proxy and openrunner used meanwhile. */
  const measure = async (backend: BackendSetup, proxy: NginxProxy, target: Target, rep: number, phase: Phase, durationS: number): Promise<Run> => {
    const [threads, connections] = phase === "latency" ? [1, LATENCY_CONNECTIONS] : [THREADS, CONNECTIONS];
    const url = target === "direct" ? `http://${backend.address}:8080/` : target === "nginx" ? `http://127.0.0.1:${proxy.port}/` : `http://127.0.0.1:${httpPort}/`;
    const proxyPids = target === "nginx" ? processTree(proxy.pid) : target === "openrunner" ? processTree(haproxyMasterPid()) : [];
    const orPid = openrunner?.server.pid ?? 0;
    const cpu0 = treeCpuMs(proxyPids);
    const or0 = cpuTimeMs(orPid);
    const r = await runWrk({ url, host: backend.host, threads, connections, durationS });
    const cpu1 = treeCpuMs(proxyPids);
    const or1 = cpuTimeMs(orPid);
    const { raw: _raw, ...wrk } = r;
    const run: Run = {
      backend: backend.name,
      target,
      phase,
      rep,
      wrk,
      proxyCpuUsPerReq: proxyPids.length ? ((cpu1 - cpu0) * 1000) / r.requests : Number.NaN,
      openrunnerCpuUsPerReq: ((or1 - or0) * 1000) / r.requests,
    };
    process.stderr.write(
      `${backend.name} ${target} ${phase} rep ${rep}: ${fmt(r.requestsPerSec, 0)} req/s, p50 ${fmt(r.p50, 3)} ms, p99 ${fmt(r.p99, 2)} ms, ` +
        `errors ${r.socketErrors}/${r.non2xx}\n`,
    );
    return run;
  };

  const benchBackend = async (backend: BackendSetup, reps: number, durationS: number, expectBody: string | undefined): Promise<void> => {
    nginx = await startNginxProxy({ port: await freePort(), upstreams: [`${backend.address}:8080`], workers: nbthread });
    try {
      const urls: Record<Target, string> = {
        direct: `http://${backend.address}:8080/`,
        nginx: `http://127.0.0.1:${nginx.port}/`,
        openrunner: `http://127.0.0.1:${httpPort}/`,
      };
      for (const t of TARGETS) {
        const r = await body(urls[t], backend.host);
        if (r?.status !== 200 || (expectBody !== undefined && r.text !== expectBody)) throw new Error(`${backend.name} via ${t}: ${r?.status ?? "no answer"} ${JSON.stringify(r?.text.slice(0, 80))}`);
      }
      if (WARMUP_S > 0) for (const t of TARGETS) await runWrk({ url: urls[t], host: backend.host, threads: THREADS, connections: CONNECTIONS, durationS: WARMUP_S });
      // Targets interleaved, and their order rotated each repetition, so drift hits all three alike.
      for (let rep = 0; rep < reps; rep++) {
        for (let k = 0; k < TARGETS.length; k++) {
          const target = TARGETS[(k + rep) % TARGETS.length] ?? "direct";
          runs.push(await measure(backend, nginx, target, rep, "throughput", durationS));
        }
        if (LATENCY_S > 0) {
          for (let k = 0; k < TARGETS.length; k++) {
            const target = TARGETS[(k + rep) % TARGETS.length] ?? "direct";
            runs.push(await measure(backend, nginx, target, rep, "latency", Math.min(durationS, LATENCY_S)));
          }
        }
      }
    } finally {
      await nginx.stop();
      nginx = undefined;
    }
  };

  try {
    registry = await startRegistry();
    await pushFastBackend(registry.host, "fast", "1");
    if (BUSYBOX_S > 0) await pushHelloApp(registry.host, "hello", "1", "hello");
    openrunner = await startOpenRunnerChild([], {
      upArgs: [
        "--runtime", "local", "--router", "haproxy", "--http-port", String(httpPort), "--https-port", "0",
        "--address-block", String(addressBlock), "--image-poll-seconds", "0",
      ],
      readyTimeoutMs: 60_000,
    });
    client = benchClient(openrunner.endpoint, openrunner.credentials, 4);
    const fast = await createService("bench-router-fast", `${registry.host}/fast:1`);
    haproxyFacts = await haproxyInfo(join(openrunner.dataDir, "router", "admin.sock"));
    nbthread = Number(haproxyFacts.Nbthread ?? "0") || machine.nproc;
    process.stderr.write(`HAProxy ${haproxyFacts.Version ?? "?"}: ${nbthread} thread(s); nginx gets worker_processes ${nbthread}\n`);
    await benchBackend(fast, REPS, DURATION_S, FAST_BACKEND_BODY);
    if (BUSYBOX_S > 0) {
      const hello = await createService("bench-router-busybox", `${registry.host}/hello:1`);
      await benchBackend(hello, 1, BUSYBOX_S, undefined);
    }
    report();
  } finally {
    await nginx?.stop();
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
    const lines: string[] = [];
    type Summary = { rps: number; p50: number; p99: number };
    const summary: Record<string, Partial<Record<`${Phase}:${Target}`, Summary>>> = {};
    const phaseTitle: Record<Phase, string> = {
      throughput: `throughput, wrk -t${THREADS} -c${CONNECTIONS}`,
      latency: `latency, wrk -t1 -c${LATENCY_CONNECTIONS}`,
    };
    for (const backend of [...new Set(runs.map((r) => r.backend))]) {
      const s: Partial<Record<`${Phase}:${Target}`, Summary>> = {};
      summary[backend] = s;
      for (const phase of ["throughput", "latency"] as const) {
        const rows: string[][] = [];
        for (const target of TARGETS) {
          const mine = runs.filter((r) => r.backend === backend && r.target === target && r.phase === phase);
          if (mine.length === 0) continue;
          const rps = mine.map((r) => r.wrk.requestsPerSec);
          const p50 = mine.map((r) => r.wrk.p50);
          const p99 = mine.map((r) => r.wrk.p99);
          s[`${phase}:${target}`] = { rps: median(rps), p50: median(p50), p99: median(p99) };
          rows.push([
            target,
            `${fmt(median(rps), 0)} (${range(rps, 0)})`,
            `${fmt(median(p50), 3)} (${range(p50, 3)})`,
            `${fmt(median(p99), 2)} (${range(p99, 2)})`,
            String(mine.reduce((sum, r) => sum + r.wrk.socketErrors + r.wrk.non2xx, 0)),
            fmt(median(mine.map((r) => r.proxyCpuUsPerReq)), 1),
            fmt(median(mine.map((r) => r.openrunnerCpuUsPerReq)), 1),
          ]);
        }
        if (rows.length === 0) continue;
        const n = runs.filter((r) => r.backend === backend && r.target === "direct" && r.phase === phase).length;
        lines.push(`### ${backend}: ${phaseTitle[phase]} (n=${n} per target)`);
        lines.push("");
        lines.push(
          markdownTable(["target", "req/s median (range)", "p50 ms (range)", "p99 ms (range)", "errors", "proxy CPU µs/req", "openrunner node CPU µs/req"], rows),
        );
        lines.push("");
      }
      const t = { direct: s["throughput:direct"], nginx: s["throughput:nginx"], openrunner: s["throughput:openrunner"] };
      const l = { direct: s["latency:direct"], nginx: s["latency:nginx"], openrunner: s["latency:openrunner"] };
      if (t.direct && t.nginx && t.openrunner) {
        const added = l.direct && l.openrunner && l.nginx ? { or: l.openrunner.p50 - l.direct.p50, nginx: l.nginx.p50 - l.direct.p50, how: "latency phase" } : { or: t.openrunner.p50 - t.direct.p50, nginx: t.nginx.p50 - t.direct.p50, how: "throughput phase" };
        lines.push(
          `OpenRunner / nginx throughput: **${fmt(t.openrunner.rps / t.nginx.rps, 3)}x** (target >= 0.9x); ` +
            `added p50 over direct (${added.how}): **${fmt(added.or, 3)} ms** (target <= 0.25 ms); nginx's: ${fmt(added.nginx, 3)} ms; ` +
            `under saturation (throughput phase) OpenRunner adds ${fmt(t.openrunner.p50 - t.direct.p50, 3)} ms, nginx ${fmt(t.nginx.p50 - t.direct.p50, 3)} ms.`,
        );
        lines.push("");
      }
    }
    const facts =
      `${machine.date}, nproc ${machine.nproc} (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `HAProxy ${haproxyFacts.Version ?? "?"} (Nbthread ${nbthread}), nginx worker_processes ${nbthread}, ` +
      `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION_S}s --latency (throughput) and -t1 -c${LATENCY_CONNECTIONS} -d${Math.min(DURATION_S, LATENCY_S)}s (latency), ` +
      `warm-up ${WARMUP_S} s per target; wrk, proxy and backend share the CPUs.`;
    process.stdout.write(`${facts}\n\n${lines.join("\n")}`);
    if (args.out) {
      writeFileSync(args.out, JSON.stringify({ machine, haproxy: haproxyFacts, nbthread, params: { DURATION_S, REPS, CONNECTIONS, THREADS, WARMUP_S, BUSYBOX_S, BACKEND_WORKERS, LATENCY_S, LATENCY_CONNECTIONS }, summary, runs }, null, 2));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
