import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupLeftovers } from "../../src/runtime/local/container.js";
import { removeFirewall } from "../../src/runtime/local/firewall.js";

/** Helpers for tests that run `openrunner up` as its own process with the local runtime. */

export function credentialsIn(dir: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(join(dir, "credentials"), "utf8");
  const value = (name: string): string => new RegExp(`^${name} = (\\S+)$`, "m").exec(text)?.[1] ?? "";
  return { accessKeyId: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key") };
}

export function runtimePrefix(dataDir: string): string {
  const db = new Database(join(dataDir, "openrunner.db"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'runtime_prefix'").get() as { value: string } | undefined)?.value ?? "";
  } finally {
    db.close();
  }
}

/** After a failed assertion, the killed server's HAProxy may still run: stop it by its recorded PID. */
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

/**
 * What a killed (or failed) server may have left on the host, found by its data directory:
 * instances and the firewall by the runtime's prefix, HAProxy by its recorded PID.
 */
export async function removeSpawnedRuntimeLeftovers(dataDir: string, addressBlock: number): Promise<void> {
  const prefix = runtimePrefix(dataDir);
  if (prefix) {
    const layout = { prefix, addressBlock, instancesDir: join(dataDir, "runtime", "instances"), egress: true };
    await cleanupLeftovers(layout, new Set());
    await removeFirewall(layout);
  }
  await stopLeftoverHaproxy(dataDir);
}
