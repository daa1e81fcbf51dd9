import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isHaproxy } from "../../src/router/haproxy-process.js";
import { cleanupLeftovers } from "../../src/runtime/local/container.js";
import { removeFirewall } from "../../src/runtime/local/firewall.js";
import { appRunnerClient, spawnOpenRunner, type SpawnedServer } from "./harness.js";

/** `openrunner up --runtime local` in a child process, as a user runs it, with its data plane on loopback ports. */
export interface SpawnedRuntime {
  server: SpawnedServer;
  client: AppRunnerClient;
  /** The local CA the data plane's HTTPS certificate chains to. */
  ca: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnLocalRuntime(dataDir: string, addressBlock: number, ports: { http: number; https: number }): Promise<SpawnedRuntime> {
  const server = await spawnOpenRunner([
    ...["--data-dir", dataDir, "--port", "0", "--runtime", "local", "--address-block", String(addressBlock), "--image-poll-seconds", "0"],
    ...["--http-port", String(ports.http), "--https-port", String(ports.https)],
  ]);
  const text = readFileSync(join(dataDir, "credentials"), "utf8");
  const value = (name: string): string => new RegExp(`^${name} = (\\S+)$`, "m").exec(text)?.[1] ?? "";
  const client = appRunnerClient(server.endpoint, { accessKeyId: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key") });
  return {
    server,
    client,
    ca: ports.https > 0 ? readFileSync(join(dataDir, "router", "ca.crt"), "utf8") : "",
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      client.destroy();
      await server.stop(signal);
    },
  };
}

/** The PID in the data plane's pid file (the HAProxy master), or 0. */
export function haproxyMasterPid(dataDir: string): number {
  try {
    return Number(readFileSync(join(dataDir, "router", "haproxy.pid"), "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

/** The PID of a runc container's first process (the app of an instance). */
export function containerPid(containerId: string): number {
  return (JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8" })) as { pid: number }).pid;
}

/**
 * After a failed assertion: whatever the stopped server left, found by the names it recorded in
 * its data directory (instances by its prefix, its firewall table, HAProxy by its pid file).
 */
export async function removeSpawnedLeftovers(dataDir: string, addressBlock: number): Promise<void> {
  let prefix = "";
  try {
    const db = new Database(join(dataDir, "openrunner.db"), { readonly: true });
    try {
      prefix = (db.prepare("SELECT value FROM meta WHERE key = 'runtime_prefix'").get() as { value: string } | undefined)?.value ?? "";
    } finally {
      db.close();
    }
  } catch {
    // No database: the server never started.
  }
  if (prefix) {
    const layout = { prefix, addressBlock, instancesDir: join(dataDir, "runtime", "instances"), egress: true };
    await cleanupLeftovers(layout, new Set());
    await removeFirewall(layout);
  }
  const pid = haproxyMasterPid(dataDir);
  if (pid > 0 && (await isHaproxy(pid))) process.kill(pid, "SIGTERM");
}
