import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupLeftovers } from "../../src/executor/container.js";
import { removeFirewall } from "../../src/executor/firewall.js";
import { appRunnerClient, credentialsIn, spawnOpenRunner, tempDataDir, type SpawnedServer } from "./harness.js";
import { freePort, viaRouter } from "./router-client.js";
import { stopPid } from "./pids.js";
import { randomAddressBlock } from "./runtime-fixture.js";

/** The PID of an instance's container init (the exit recorder; the app is its only child). */
export function containerPid(containerId: string): number {
  return (JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8" })) as { pid: number }).pid;
}

/** The name prefix of everything the data directory's runtime made on the host. */
export function runtimePrefix(dataDir: string): string {
  if (!existsSync(join(dataDir, "openrunner.db"))) return "";
  const db = new Database(join(dataDir, "openrunner.db"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'runtime_prefix'").get() as { value: string } | undefined)?.value ?? "";
  } finally {
    db.close();
  }
}

/** The PID in a router directory's pid file (the HAProxy master), or 0. */
export function haproxyPidIn(routerDir: string): number {
  try {
    return Number(readFileSync(join(routerDir, "haproxy.pid"), "utf8").trim()) || 0;
  } catch {
    return 0; // No pid file: it was stopped cleanly, or never started.
  }
}

/** The PID in the data plane's pid file (the HAProxy master), or 0. */
export function haproxyMasterPid(dataDir: string): number {
  return haproxyPidIn(join(dataDir, "router"));
}

/** After a failed assertion, a killed router's HAProxy may still run: stop it by its recorded PID. */
export async function stopHaproxyIn(routerDir: string): Promise<void> {
  await stopPid(haproxyPidIn(routerDir), 5_000);
}

/** After a failed assertion, a killed server's HAProxy may still run: stop it by its recorded PID. */
export function stopLeftoverHaproxy(dataDir: string): Promise<void> {
  return stopHaproxyIn(join(dataDir, "router"));
}

/** The PID in the built-in registry's pid file, or 0. */
export function registryPid(dataDir: string): number {
  try {
    return Number(readFileSync(join(dataDir, "registry", "registry.pid"), "utf8").trim()) || 0;
  } catch {
    return 0; // No pid file: stopped cleanly, or never started.
  }
}

/** A server killed with SIGKILL leaves its registry running: stop it by its recorded PID. */
export function stopLeftoverRegistry(dataDir: string): void {
  const pid = registryPid(dataDir);
  if (pid === 0) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * `openrunner up` with the local runtime and HAProxy on one data directory, one process at a
 * time (restarts, kill -9), stopped by the PID it started, and everything its runtime made on
 * the host removed by the data directory's prefix in cleanup(), even after a failed assertion.
 */
export class LocalServer {
  readonly data: { dir: string; remove(): void };
  readonly block = randomAddressBlock();
  httpPort = 0;
  /** 0 unless the constructor asked for HTTPS: then a free port, the same at every start. */
  httpsPort = 0;
  /** 0 unless the constructor asked for the built-in registry: then a free port, the same at every start. */
  registryPort = 0;
  current: { server: SpawnedServer; client: AppRunnerClient } | undefined;

  constructor(
    prefix: string,
    private readonly opts: { https?: boolean; registry?: boolean; extraArgs?: string[] } = {},
  ) {
    this.data = tempDataDir(prefix);
  }

  /** The local CA the data plane's HTTPS certificate chains to. */
  get ca(): string {
    return readFileSync(join(this.data.dir, "router", "ca.crt"), "utf8");
  }

  /** The flags of every start: same data directory, address block and data-plane port. */
  async args(apiPort = 0): Promise<string[]> {
    if (this.httpPort === 0) this.httpPort = await freePort();
    if (this.opts.https && this.httpsPort === 0) this.httpsPort = await freePort();
    if (this.opts.registry && this.registryPort === 0) this.registryPort = await freePort();
    return [
      ...["--data-dir", this.data.dir, "--port", String(apiPort), "--runtime", "local", "--address-block", String(this.block)],
      ...["--http-port", String(this.httpPort), "--https-port", String(this.httpsPort), "--registry-port", String(this.registryPort)],
      // No polling unless a test asks for it: polls would deploy what a test pushes before it means them to.
      ...(this.opts.extraArgs?.includes("--image-poll-seconds") ? [] : ["--image-poll-seconds", "0"]),
      ...(this.opts.extraArgs ?? []),
    ];
  }

  async start(env: Record<string, string> = {}, apiPort = 0): Promise<AppRunnerClient> {
    assert.equal(this.current, undefined, "one server at a time on a data directory");
    const server = await spawnOpenRunner(await this.args(apiPort), env);
    this.current = { server, client: appRunnerClient(server.endpoint, credentialsIn(this.data.dir)) };
    return this.current.client;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    const c = this.current;
    this.current = undefined;
    c?.client.destroy();
    await c?.server.stop(signal);
  }

  /** One GET through the data plane with the service's host. */
  async via(host: string, path = "/"): Promise<{ status: number; body: string }> {
    const r = await viaRouter({ port: this.httpPort, host, path });
    return { status: r.status, body: r.body.trim() };
  }

  /** Every step runs even if an earlier one fails (a failure left HAProxy and the registry running); the first failure is thrown at the end. */
  async cleanup(): Promise<void> {
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<void> | void): Promise<void> => {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    };
    await attempt(() => this.stop("SIGKILL"));
    const prefix = runtimePrefix(this.data.dir);
    if (prefix) {
      const layout = { prefix, addressBlock: this.block, instancesDir: join(this.data.dir, "runtime", "instances"), egress: true };
      await attempt(() => cleanupLeftovers(layout, new Set()));
      await attempt(() => removeFirewall(layout));
    }
    await attempt(() => stopLeftoverHaproxy(this.data.dir));
    await attempt(() => stopLeftoverRegistry(this.data.dir));
    await attempt(() => this.data.remove());
    if (failures.length > 0) throw failures[0];
  }
}
