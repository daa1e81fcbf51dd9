import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The compiled CLI, as `npm run up` runs it (this file is dist/bench/lib/child.js). */
export const OPENRUNNER_CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface ReadyChild {
  child: ChildProcess;
  pid: number;
  /** What followed `ready:` on the child's stdout (an endpoint, for servers). */
  ready: string;
  output(): string;
  /** Signals only the process this helper started, by its PID, and waits (bounded) for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` and resolves at its first `ready: <value>` line on stdout — the same
 * contract as `openrunner up` (and test/support/harness.ts), so every child is started alike.
 */
export function spawnReady(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ReadyChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let settled = false;
    const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    const stop = async (): Promise<void> => {
      if (alive()) child.kill("SIGTERM");
      const killTimer = setTimeout(() => {
        if (alive()) child.kill("SIGKILL");
      }, 10_000);
      await exited;
      clearTimeout(killTimer);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop();
      reject(new Error(`child ${args.join(" ")} did not print ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^ready: ?(\S*)$/m.exec(out);
      if (m && !settled && child.pid !== undefined) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, pid: child.pid, ready: m[1] ?? "", output: () => out, stop });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new Error(`child ${args.join(" ")} exited (${code ?? signal}) before ready:\n${out}`));
    });
  });
}
