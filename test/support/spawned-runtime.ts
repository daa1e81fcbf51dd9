import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { cleanupLeftovers } from "../../src/runtime/local/container.js";
import { removeFirewall } from "../../src/runtime/local/firewall.js";
import { appRunnerClient, spawnOpenRunner, type SpawnedServer } from "./harness.js";

/**
 * A real `openrunner up` with the local runtime in a child process, started and killed again
 * over one data directory, for tests of what survives the control plane's death.
 */
export function credentialsIn(dir: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(join(dir, "credentials"), "utf8");
  const value = (name: string): string => new RegExp(`^${name} = (\\S+)$`, "m").exec(text)?.[1] ?? "";
  return { accessKeyId: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key") };
}

export function runtimePrefix(dataDir: string): string {
  try {
    const db = new Database(join(dataDir, "openrunner.db"), { readonly: true });
    try {
      return (db.prepare("SELECT value FROM meta WHERE key = 'runtime_prefix'").get() as { value: string } | undefined)?.value ?? "";
    } finally {
      db.close();
    }
  } catch {
    return ""; // No database yet: the server never started, so nothing of ours is on the host.
  }
}

/** After a failed assertion, a killed server's HAProxy may still run: stop it by its recorded PID. */
export async function stopLeftoverHaproxy(dataDir: string): Promise<void> {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(dataDir, "router", "haproxy.pid"), "utf8").trim());
  } catch {
    return; // No pid file: it was stopped cleanly, or never started.
  }
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return; // Already gone.
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
}

export function containerPid(containerId: string): number {
  return (JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8" })) as { pid: number }).pid;
}

/** Removes whatever a killed server left on the host, by the names its data directory recorded. */
export async function removeRuntimeLeftovers(dataDir: string, addressBlock: number): Promise<void> {
  const prefix = runtimePrefix(dataDir);
  if (prefix) {
    const layout = { prefix, addressBlock, instancesDir: join(dataDir, "runtime", "instances"), egress: true };
    await cleanupLeftovers(layout, new Set());
    await removeFirewall(layout);
  }
  await stopLeftoverHaproxy(dataDir);
}

export interface RuntimeServer {
  server: SpawnedServer;
  client: AppRunnerClient;
}

/** Starts and stops `openrunner up` over one data directory, one process at a time. */
export class SpawnedRuntime {
  private current: RuntimeServer | undefined;

  constructor(private readonly opts: { dataDir: string; addressBlock: number; httpPort: number; extraArgs?: string[] }) {}

  async start(env: Record<string, string> = {}): Promise<AppRunnerClient> {
    const args = [
      ...["--data-dir", this.opts.dataDir, "--port", "0", "--runtime", "local", "--address-block", String(this.opts.addressBlock)],
      ...["--http-port", String(this.opts.httpPort), "--https-port", "0", ...(this.opts.extraArgs ?? [])],
    ];
    const server = await spawnOpenRunner(args, env);
    this.current = { server, client: appRunnerClient(server.endpoint, credentialsIn(this.opts.dataDir)) };
    return this.current.client;
  }

  get running(): RuntimeServer | undefined {
    return this.current;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    const c = this.current;
    this.current = undefined;
    c?.client.destroy();
    await c?.server.stop(signal);
  }
}
