/**
 * Host tools the builder runs (mmdebstrap, tar, cp, chroot, runc, umount): argument arrays, a
 * timeout, an optional AbortSignal, and failures as BuildFailed with the command and the tail of
 * its stderr. Shared by runtimes/, sandbox/ and assemble/.
 */
import { spawn } from "node:child_process";
import { AppRunnerError } from "../../errors/app-runner-error.js";

export interface ToolOptions {
  /** Kill the command after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Working directory. */
  cwd?: string;
  /** Extra environment on top of this process's. */
  env?: Record<string, string>;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** sbin directories are not always on a service's PATH; mmdebstrap, runc, chroot live there. */
export const HOST_PATH = [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
  .filter((p) => p !== "")
  .join(":");

const KEEP = 64 * 1024;

/** Runs `cmd args` to completion; rejects with BuildFailed (stderr tail) on a non-zero exit, timeout or abort. */
export function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  opts.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: HOST_PATH, ...opts.env },
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    let why: string | undefined;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout = (stdout + s).slice(-4 * KEEP);
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-KEEP);
    });
    const timer = setTimeout(() => {
      why = `timed out after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s`;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 60_000);
    const onAbort = (): void => {
      why = "aborted";
      child.kill("SIGKILL");
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (err: NodeJS.ErrnoException) => {
      done();
      const reason = err.code === "ENOENT" ? `${cmd} is not installed` : err.message;
      reject(new AppRunnerError("BuildFailed", `${cmd} ${args.join(" ")}: ${reason}`, { cause: err }));
    });
    child.on("close", (code, sig) => {
      done();
      if (why === "aborted" && opts.signal?.aborted) {
        reject(opts.signal.reason instanceof Error ? opts.signal.reason : new AppRunnerError("BuildFailed", `${cmd}: aborted`));
        return;
      }
      if (code === 0 && why === undefined) {
        resolve({ stdout, stderr });
        return;
      }
      const tail = stderr.trim().split("\n").slice(-8).join("\n");
      const status = why ?? (sig ? `killed by ${sig}` : `exit code ${code ?? "?"}`);
      reject(new AppRunnerError("BuildFailed", `${cmd} ${args.join(" ")}: ${status}${tail ? `: ${tail}` : ""}`));
    });
  });
}

/** "12.3 s" / "850 ms" for progress lines. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Ascending semver-ish order of "x.y.z" strings (pre-release tags are not expected here). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}
