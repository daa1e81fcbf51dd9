/**
 * Cold start (issue 20): from zero instances to the first byte of a request, for the busybox
 * hello app, beside a bare `runc run` of the same unpacked image on the same machine in the same
 * run. Must run as root (runc, network namespaces). Talks only to 127.x addresses.
 *
 *   node dist/bench/cold-start.js [--runs 20] [--out results.json]
 *
 * OpenRunner: the real server in this process (HAProxy data plane, runc driver, autoscaler) with
 * one service tagged `openrunner:scale-to-zero` = 1 s (the tag's lower bound lowered, as tests
 * do). Each run waits until the idle timer has stopped the instance, then sends one GET through
 * the data plane and times it to the first byte. The server's log lines split the time:
 *   notice  request sent -> the autoscaler asks for an instance (the held request seen)
 *   start   -> "instance started" (netns + veth, overlay, cgroups, runc create/start)
 *   app     -> "instance healthy" (the app listening + the health check seeing it)
 *   route   -> first byte (the server added to HAProxy, the held request let go and answered)
 * Bare runc: `runc run --detach` of a bundle over the same rootfs (read-only, host network, no
 * cgroup limits, no user namespace), polled every 1 ms until the app answers 200, then deleted.
 */
import { CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startOpenRunner } from "../src/server.js";
import { SCALE_TO_ZERO_TAG } from "../src/domain/scale-to-zero.js";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { pushHelloApp } from "../test/support/app-images.js";
import { appRunnerClient } from "../test/support/harness.js";
import { startRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { randomAddressBlock } from "../test/support/runtime-fixture.js";
import { machineFacts } from "./lib/machine.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "20" }, out: { type: "string" } } });
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a positive integer");

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

/** One GET, undefined when nothing answers yet. */
function tryGet(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 500 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
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

/** `runc run --detach` of the image's rootfs with the hello app's command on the host's loopback; ms to the first 200. */
async function bareRunc(rootfs: string, dir: string, n: number): Promise<number> {
  const port = await freePort();
  const bundle = join(dir, `b${n}`);
  mkdirSync(bundle, { recursive: true });
  execFileSync("runc", ["spec", "--bundle", bundle]);
  const specFile = join(bundle, "config.json");
  const spec = JSON.parse(execFileSync("cat", [specFile], { encoding: "utf8" })) as {
    root: { path: string; readonly: boolean };
    process: { args: string[]; terminal: boolean; env: string[] };
    linux: { namespaces: { type: string }[] };
  };
  spec.root = { path: rootfs, readonly: true };
  spec.process.terminal = false;
  spec.process.args = ["/bin/sh", "-c", `exec busybox httpd -f -p 127.0.0.1:${port} -h /www`];
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== "network");
  writeFileSync(specFile, JSON.stringify(spec));
  const id = `cold-start-bench-${process.pid}-${n}`;
  const t0 = performance.now();
  const child = spawn("runc", ["run", "--detach", "--bundle", bundle, id], { stdio: "ignore" });
  try {
    await until("bare runc's app", async () => ((await tryGet(port)) ? true : undefined), 10_000, 1);
    return performance.now() - t0;
  } finally {
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
    execFileSync("runc", ["delete", "--force", id], { stdio: "ignore" });
  }
}

interface Split {
  total: number;
  notice: number;
  start: number;
  app: number;
  route: number;
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const dataDir = mkdtempSync(join(tmpdir(), "openrunner-cold-start-"));
  const httpPort = await freePort();
  const marks: { at: number; message: string }[] = [];
  const running = await startOpenRunner({
    dataDir,
    port: 0,
    localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort: 0 }, scaleToZeroMinIdleMs: 1000 },
    logger: (message, fields) => {
      marks.push({ at: performance.now(), message });
      if (process.env.COLD_START_DEBUG && message === "instance created") process.stderr.write(`${JSON.stringify(fields)}\n`);
    },
  });
  const client = appRunnerClient(running.endpoint, running.rootKey, running.config.region);
  const bundles = mkdtempSync(join(tmpdir(), "openrunner-cold-start-bundles-"));
  try {
    const pushed = await pushHelloApp(registry.host, "hello", "cold", "cold");
    const out = await client.send(
      new CreateServiceCommand({
        ServiceName: "cold-start",
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: `${registry.host}/hello:cold`, ImageRepositoryType: "ECR_PUBLIC" } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
        HealthCheckConfiguration: { Protocol: "TCP", Interval: 1, Timeout: 1, HealthyThreshold: 1, UnhealthyThreshold: 2 },
        Tags: [{ Key: SCALE_TO_ZERO_TAG, Value: "1s" }],
      }),
    );
    const arn = out.Service?.ServiceArn ?? "";
    const svc = await until("RUNNING", async () => {
      const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
      return s?.Status === "RUNNING" ? s : undefined;
    }, 60_000, 200);
    const driver = running.driver as LocalRuntimeDriver;
    const rootfs = join(dataDir, "images", "unpacked", pushed.manifestDigest.replace(/^sha256:/, ""), "rootfs");

    const splits: Split[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await until("zero instances", () => (driver.instances(svc.ServiceId).length === 0 ? true : undefined), 30_000, 50);
      await sleep(300); // the route's server removal and the drain settle
      const from = marks.length;
      const t0 = performance.now();
      const total = await firstByte(httpPort, svc.ServiceUrl ?? "");
      const at = (message: string): number => (marks.slice(from).find((m) => m.message === message)?.at ?? NaN) - t0;
      const [noticed, started, healthy] = [at("autoscaler: scaling"), at("instance started"), at("instance healthy")];
      splits.push({ total, notice: noticed, start: started - noticed, app: healthy - started, route: total - healthy });
      bare.push(await bareRunc(rootfs, bundles, i));
      process.stderr.write(`run ${i + 1}/${RUNS}: openrunner ${fmt(total, 1)} ms, bare runc ${fmt(bare[i] ?? NaN, 1)} ms\n`);
    }
    report(splits, bare);
  } finally {
    client.destroy();
    await running.close();
    await registry.stop();
    rmSync(bundles, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(splits: Split[], bare: number[]): void {
  const col = (xs: number[]): string[] => {
    const s = [...xs].sort((a, b) => a - b);
    return [fmt(percentile(s, 50), 1), fmt(percentile(s, 99), 1), fmt(s[s.length - 1] ?? NaN, 1)];
  };
  const rows = [
    ["bare `runc run` -> first 200 (host network)", ...col(bare)],
    ["OpenRunner: zero -> first byte", ...col(splits.map((s) => s.total))],
    ["  notice (held request -> scale decision)", ...col(splits.map((s) => s.notice))],
    ["  start (netns, overlay, cgroups, runc)", ...col(splits.map((s) => s.start))],
    ["  app listening + health check", ...col(splits.map((s) => s.app))],
    ["  router add + hold released + answer", ...col(splits.map((s) => s.route))],
  ];
  const p50 = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
  const result = {
    machine: machineFacts(),
    runs: splits.length,
    table: markdownTable(["ms", "p50", "p99", "max"], rows),
    addedOverBareRuncP50Ms: p50(splits.map((s) => s.total)) - p50(bare),
  };
  console.log(result.table);
  console.log(`OpenRunner adds ${fmt(result.addedOverBareRuncP50Ms, 1)} ms (p50) over a bare runc start. ${JSON.stringify(result.machine)}`);
  if (args.out) writeFileSync(args.out, JSON.stringify({ ...result, splits, bare }, null, 2));
}

await main();
