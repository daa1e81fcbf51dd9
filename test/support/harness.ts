import { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ScriptedRuntimeDriver } from "./scripted-driver.js";
import { startOpenRunner, type OpenRunnerOptions, type RunningOpenRunner } from "../../src/server.js";

export const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export function tempDataDir(prefix = "openrunner-test-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The root key `openrunner up` wrote to `<data-dir>/credentials`. */
export function credentialsIn(dir: string): Credentials {
  const text = readFileSync(join(dir, "credentials"), "utf8");
  const value = (name: string): string => new RegExp(`^${name} = (\\S+)$`, "m").exec(text)?.[1] ?? "";
  return { accessKeyId: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key") };
}

export function appRunnerClient(endpoint: string, credentials: Credentials, region = "us-east-1"): AppRunnerClient {
  return new AppRunnerClient({ endpoint, region, credentials, maxAttempts: 1 });
}

export interface InProcessServer {
  running: RunningOpenRunner;
  client: AppRunnerClient;
  close(): Promise<void>;
}

/** The real server on an ephemeral loopback port, in this process, with its own data directory. */
export async function startInProcess(opts: Partial<OpenRunnerOptions> = {}): Promise<InProcessServer> {
  const data = opts.dataDir ? undefined : tempDataDir();
  // A scripted driver comes with its scripted artifacts (nothing is pulled or built).
  const artifacts = opts.artifacts ?? (opts.driver instanceof ScriptedRuntimeDriver ? opts.driver.artifacts : undefined);
  const running = await startOpenRunner({ port: 0, logger: () => undefined, ...opts, artifacts, dataDir: opts.dataDir ?? data?.dir ?? "" });
  const client = appRunnerClient(running.endpoint, running.rootKey, running.config.region);
  return {
    running,
    client,
    async close() {
      client.destroy();
      await running.close();
      data?.remove();
    },
  };
}

export interface SpawnedServer {
  child: ChildProcess;
  endpoint: string;
  output(): string;
  /** Sends a signal to the process this harness started (by its PID) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `openrunner up` as a separate process, as a user runs it; resolves at its `ready:` line. */
export function spawnOpenRunner(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<SpawnedServer> {
  return new Promise((resolve, reject) => {
    // No built-in registry unless a test asks for one (on a free port): tests run side by side.
    const registry = args.includes("--registry-port") ? [] : ["--registry-port", "0"];
    const child = spawn(process.execPath, [CLI, "up", ...registry, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`openrunner up did not print ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /^ready: (\S+)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({
          child,
          endpoint: m[1],
          output: () => out,
          async stop(signal: NodeJS.Signals = "SIGTERM") {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!/^ready: /m.test(out)) reject(new Error(`openrunner up exited with ${code}:\n${out}`));
    });
  });
}

/** Polls until `check` returns a value (bounded). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
