/**
 * Cold start (issue 20): from zero instances to the first byte of a request, for the busybox
 * hello image and for a Python and a Node.js app built from source on the managed runtimes, each
 * beside a bare `runc run` of the same unpacked image on the same machine in the same run, for
 * each state a service at zero keeps its next instance in (`--wake-ahead prepared|created`).
 * Must run as root (runc, network namespaces). Talks only to 127.x addresses.
 *
 *   node dist/bench/cold-start.js [--runs 20] [--apps hello,python,nodejs] [--wake-ahead prepared,created] [--out results.json]
 *
 * OpenRunner: one real server in this process per wake-ahead state (HAProxy data plane, runc
 * driver, autoscaler; own data dir, port and address block), with one service per app tagged
 * `openrunner:scale-to-zero` = 1 s (the tag's lower bound lowered, as tests do); the source
 * apps build with the test runtimes (/tmp/openrunner-test-runtimes). Each run, for each app and
 * each state, interleaved: wait until every service of every server is at zero with its next
 * instance made ahead (at most 2 s: a runtime that makes none is measured too), send one GET
 * through the data plane and time it to the first byte. The server's log lines split the time:
 *   notice  request sent -> the autoscaler asks for an instance (the held request seen)
 *   start   -> "instance started" (prepared: environment, `runc run -d`; created: the fifo start)
 *   app     -> "instance healthy" (the app listening + the health check seeing it)
 *   route   -> first byte (the server added to HAProxy, the held request let go and answered)
 * Bare runc (bench/lib/bare-runc.ts): right after, `runc run --detach` of the same app over the
 * same rootfs (read-only, host network, no cgroup limits, no overlay), polled every 1 ms until it
 * answers 200, then deleted; and `runc create` of it (untimed) then `runc start`, timed the same way.
 */
import { CreateServiceCommand, DescribeServiceCommand, type AppRunnerClient, type CreateServiceCommandInput, type Service } from "@aws-sdk/client-apprunner";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startOpenRunner } from "../src/server.js";
import { SCALE_TO_ZERO_TAG } from "../src/domain/scale-to-zero.js";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { WAKE_AHEAD_STATES, type WakeAhead } from "../src/runtime/local/instance-lifecycle.js";
import { pushHelloApp } from "../test/support/app-images.js";
import { makeRepo, removeRepo, type TestRepo } from "../test/support/git-server.js";
import { appRunnerClient } from "../test/support/harness.js";
import { TEST_RUNTIMES_DIR } from "../test/support/python-hello.js";
import { startRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { randomAddressBlock, testRuntimeSettings } from "../test/support/runtime-fixture.js";
import { aheadFootprint, bareRuncRun, deployedApp, type AheadFootprint, type BareApp } from "./lib/bare-runc.js";
import { machineFacts } from "./lib/machine.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "20" }, apps: { type: "string", default: "hello,python,nodejs" }, "wake-ahead": { type: "string", default: "prepared,created" }, out: { type: "string" } },
});
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a positive integer");
const APPS = args.apps.split(",");
for (const a of APPS) if (!["hello", "python", "nodejs"].includes(a)) throw new Error(`--apps: unknown app ${a}`);
const MODES = args["wake-ahead"].split(",").map((m) => {
  const mode = WAKE_AHEAD_STATES.find((w) => w === m);
  if (!mode) throw new Error(`--wake-ahead: unknown state ${m}`);
  return mode;
});

/** ms from sending a GET to its first response byte (status 200 required). */
function firstByte(port: number, host: string, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      res.once("data", () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      res.resume();
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// Both source apps listen on $PORT, on $HOST when set (the bare run: loopback only).
const PYTHON_APP = {
  "requirements.txt": "",
  "server.py": [
    "import os",
    "from http.server import BaseHTTPRequestHandler, HTTPServer",
    "class Hello(BaseHTTPRequestHandler):",
    "    def do_GET(self):",
    "        body = b'Hello from Python\\n'",
    "        self.send_response(200)",
    "        self.send_header('Content-Length', str(len(body)))",
    "        self.end_headers()",
    "        self.wfile.write(body)",
    "HTTPServer((os.environ.get('HOST', '0.0.0.0'), int(os.environ['PORT'])), Hello).serve_forever()",
    "",
  ].join("\n"),
};
const NODE_APP = {
  "package.json": JSON.stringify({ name: "cold-start", version: "1.0.0", private: true }),
  "server.js": "require('http').createServer((q, s) => s.end('Hello from Node.js\\n')).listen(Number(process.env.PORT), process.env.HOST || '0.0.0.0');\n",
};

interface AppUnderTest {
  name: string;
  input: CreateServiceCommandInput;
  /** The bare run of the same image, given the server's data dir and the deployed service's id. */
  bare: (dataDir: string, serviceId: string, path: string) => BareApp;
  repo?: TestRepo;
}

function sourceApp(name: string, runtime: "PYTHON_3" | "NODEJS_18", files: Record<string, string>, start: string): AppUnderTest {
  const repo = makeRepo(files);
  return {
    name,
    repo,
    input: {
      ServiceName: `cold-start-${name}`,
      SourceConfiguration: {
        AutoDeploymentsEnabled: false,
        CodeRepository: {
          RepositoryUrl: `file://${repo.dir}`,
          SourceCodeVersion: { Type: "BRANCH", Value: "main" },
          CodeConfiguration: { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: runtime, BuildCommand: "true", StartCommand: start, Port: "8080" } },
        },
      },
      InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
    },
    bare: (dataDir, serviceId, path) => {
      const app = deployedApp(dataDir, serviceId);
      return { ...app, env: (port) => [path, `PORT=${port}`, "HOST=127.0.0.1", "HOME=/root", "LANG=C.UTF-8"] };
    },
  };
}

interface Split {
  total: number;
  notice: number;
  start: number;
  app: number;
  route: number;
  madeAhead: boolean;
}

interface Result {
  bare: number[];
  /** Bare `runc create` (untimed), then `runc start` -> first 200. */
  bareStart: number[];
  /** Per wake-ahead state. */
  woken: Map<WakeAhead, { splits: Split[]; footprints: AheadFootprint[] }>;
}

/** One OpenRunner server whose services at zero keep their next instance `mode`. */
interface Side {
  mode: WakeAhead;
  dataDir: string;
  httpPort: number;
  running: Awaited<ReturnType<typeof startOpenRunner>>;
  client: AppRunnerClient;
  marks: { at: number; message: string; serviceId: unknown }[];
  services: Service[];
}

async function startSide(mode: WakeAhead, addressBlock: number): Promise<Side> {
  const dataDir = mkdtempSync(join(tmpdir(), `openrunner-cold-start-${mode}-`));
  const httpPort = await freePort();
  const marks: Side["marks"] = [];
  const running = await startOpenRunner({
    dataDir,
    port: 0,
    localRuntime: testRuntimeSettings(httpPort, { addressBlock, scaleToZeroMinIdleMs: 1000, runtimesDir: TEST_RUNTIMES_DIR, wakeAhead: mode }),
    logger: (message, fields) => {
      marks.push({ at: performance.now(), message, serviceId: fields?.serviceId });
      if (process.env.COLD_START_DEBUG && message.startsWith("instance created")) process.stderr.write(`${mode} ${message} ${JSON.stringify(fields)}\n`);
    },
  });
  return { mode, dataDir, httpPort, running, client: appRunnerClient(running.endpoint, running.rootKey, running.config.region), marks, services: [] };
}

async function createServices(side: Side, apps: AppUnderTest[]): Promise<void> {
  const { client } = side;
  side.services = await Promise.all(
    apps.map(async (app) => {
      const out = await client.send(
        new CreateServiceCommand({
          ...app.input,
          HealthCheckConfiguration: { Protocol: "TCP", Interval: 1, Timeout: 1, HealthyThreshold: 1, UnhealthyThreshold: 2 },
          Tags: [{ Key: SCALE_TO_ZERO_TAG, Value: "1s" }],
        }),
      );
      const arn = out.Service?.ServiceArn ?? "";
      return until(`${side.mode} ${app.name} RUNNING`, async () => {
        const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
        if (s?.Status === "CREATE_FAILED") throw new Error(`${app.name}: CREATE_FAILED`);
        return s?.Status === "RUNNING" ? s : undefined;
      }, 600_000, 500);
    }),
  );
}

/**
 * Every service of every server at zero with its next instance made ahead (a runtime that makes
 * none: 2 s, the scale-down long over): no other start or stop runs during the measurement.
 * Returns what the measured service holds.
 */
async function allAtZero(sides: Side[], measured: string): Promise<AheadFootprint | undefined> {
  let ahead: AheadFootprint | undefined;
  for (const side of sides) {
    const driver = side.running.driver as LocalRuntimeDriver;
    for (const svc of side.services) {
      const id = svc.ServiceId ?? "";
      await until("zero instances", () => (driver.instances(id).length === 0 ? true : undefined), 30_000, 50);
      const made = await until("made ahead", () => aheadFootprint(side.dataDir, id, side.mode), 2_000, 50).catch(() => undefined);
      if (id === measured) ahead = made;
    }
  }
  return ahead;
}

/** One wake from zero through the data plane, split by the server's log lines. */
async function wake(side: Side, svc: Service, ahead: AheadFootprint | undefined): Promise<Split> {
  const serviceId = svc.ServiceId ?? "";
  const from = side.marks.length;
  const t0 = performance.now();
  const total = await firstByte(side.httpPort, svc.ServiceUrl ?? "");
  const at = (message: string): number => (side.marks.slice(from).find((m) => m.message === message && m.serviceId === serviceId)?.at ?? NaN) - t0;
  const [noticed, started, healthy] = [at("autoscaler: scaling"), at("instance started"), at("instance healthy")];
  return { total, notice: noticed, start: started - noticed, app: healthy - started, route: total - healthy, madeAhead: ahead !== undefined };
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const sides: Side[] = [];
  const blocks = new Set<number>();
  const bundles = mkdtempSync(join(tmpdir(), "openrunner-cold-start-bundles-"));
  const apps: AppUnderTest[] = [];
  try {
    for (const mode of MODES) {
      let block = randomAddressBlock();
      while (blocks.has(block)) block = randomAddressBlock();
      blocks.add(block);
      sides.push(await startSide(mode, block));
    }
    for (const name of APPS) {
      if (name === "hello") {
        const pushed = await pushHelloApp(registry.host, "hello", "cold", "cold");
        apps.push({
          name,
          input: {
            ServiceName: "cold-start-hello",
            SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:cold`, ImageRepositoryType: "ECR_PUBLIC" } },
            InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
          },
          bare: (dataDir, _id, path) => ({
            rootfs: join(dataDir, "images", "unpacked", pushed.manifestDigest.replace(/^sha256:/, ""), "rootfs"),
            args: (port) => ["/bin/sh", "-c", `exec busybox httpd -f -p 127.0.0.1:${port} -h /www`],
            env: () => [path],
            cwd: "/",
            uid: 0,
            gid: 0,
          }),
        });
      }
      if (name === "python") apps.push(sourceApp(name, "PYTHON_3", PYTHON_APP, "python3 server.py"));
      if (name === "nodejs") apps.push(sourceApp(name, "NODEJS_18", NODE_APP, "node server.js"));
    }
    await Promise.all(sides.map((side) => createServices(side, apps)));
    const results = new Map<string, Result>(apps.map((a) => [a.name, { bare: [], bareStart: [], woken: new Map(MODES.map((m) => [m, { splits: [], footprints: [] }])) }]));
    for (let i = 0; i < RUNS; i++) {
      for (const [k, app] of apps.entries()) {
        const result = results.get(app.name);
        if (!result) throw new Error("no result");
        const line: string[] = [];
        let bareApp: BareApp | undefined;
        for (const side of sides) {
          const svc = side.services[k];
          const woken = result.woken.get(side.mode);
          if (!svc?.ServiceId || !woken) throw new Error("no service");
          const ahead = await allAtZero(sides, svc.ServiceId);
          if (ahead) woken.footprints.push(ahead);
          await sleep(300); // the route's server removal and the drain settle
          const split = await wake(side, svc, ahead);
          woken.splits.push(split);
          line.push(`${side.mode} ${fmt(split.total, 1)} ms`);
          bareApp ??= app.bare(side.dataDir, svc.ServiceId, ahead?.path ?? "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        if (!bareApp) throw new Error("no bare app");
        result.bare.push(await bareRuncRun(bareApp, bundles, `${app.name}-${i}`));
        result.bareStart.push(await bareRuncRun(bareApp, bundles, `${app.name}-${i}-start`, "start"));
        process.stderr.write(`run ${i + 1}/${RUNS} ${app.name}: ${line.join(", ")}, bare runc ${fmt(result.bare[i] ?? NaN, 1)} ms (load ${loadavg()[0]?.toFixed(2)})\n`);
      }
    }
    report(results);
  } finally {
    for (const side of sides) {
      side.client.destroy();
      await side.running.close();
      rmSync(side.dataDir, { recursive: true, force: true });
    }
    await registry.stop();
    for (const app of apps) if (app.repo) removeRepo(app.repo);
    rmSync(bundles, { recursive: true, force: true });
  }
}

function report(results: Map<string, Result>): void {
  const col = (xs: number[]): string[] => {
    const s = [...xs].sort((a, b) => a - b);
    return [fmt(percentile(s, 50), 1), fmt(percentile(s, 99), 1), fmt(s[s.length - 1] ?? NaN, 1)];
  };
  const p50 = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
  const rows: string[][] = [];
  const added: Record<string, number> = {};
  for (const [name, { bare, bareStart, woken }] of results) {
    rows.push([`**${name}**: bare \`runc run\` -> first 200`, ...col(bare)], [`${name}: bare \`runc create\` ahead, \`runc start\` -> first 200`, ...col(bareStart)]);
    for (const [mode, { splits, footprints }] of woken) {
      rows.push(
        [`${name}: OpenRunner zero -> first byte, made ahead ${mode}`, ...col(splits.map((s) => s.total))],
        ["  notice (held request -> scale decision)", ...col(splits.map((s) => s.notice))],
        [mode === "prepared" ? "  start (environment, runc run -d)" : "  start (runc's exec fifo opened)", ...col(splits.map((s) => s.start))],
        ["  app listening + health check", ...col(splits.map((s) => s.app))],
        ["  router add + hold released + answer", ...col(splits.map((s) => s.route))],
      );
      // The same work on both sides: prepared wakes with a runc run, created with a start of a created container.
      added[`${name} ${mode}`] = p50(splits.map((s) => s.total)) - p50(mode === "prepared" ? bare : bareStart);
      const f = footprints[footprints.length - 1];
      const holds = !f ? "nothing made ahead" : f.state === "prepared" ? "no process, no cgroup" : `runc init RSS ${f.rssKiB} KiB (anon ${f.rssAnonKiB} KiB), cgroup ${Math.round(f.cgroupBytes / 1024)} KiB`;
      console.error(`${name} ${mode}: made ahead ${splits.filter((s) => s.madeAhead).length}/${splits.length}; at zero: ${holds}`);
    }
  }
  const table = markdownTable(["ms", "p50", "p99", "max"], rows);
  console.log(table);
  console.log(
    `OpenRunner adds (p50; prepared over bare runc run, created over bare runc create + start): ${Object.entries(added).map(([k, v]) => `${k} ${fmt(v, 1)} ms`).join(", ")}. ` +
      `${JSON.stringify(machineFacts())} load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  if (args.out) {
    const plain = Object.fromEntries([...results].map(([k, r]) => [k, { ...r, woken: Object.fromEntries(r.woken) }]));
    writeFileSync(args.out, JSON.stringify({ machine: machineFacts(), runs: RUNS, table, added, results: plain }, null, 2));
  }
}

await main();
