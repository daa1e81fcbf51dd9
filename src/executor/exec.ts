/**
 * Runs host commands (ip, nft, runc, mount, umount, sysctl) for the local runtime. Failures
 * become HostSetupFailed with the command line and its stderr, so the Operation that failed
 * records why. Process creation is slow on some hosts (10-30 ms each), so callers batch work
 * (`ip -batch -`, `nft -f -`) and feed it through `input`.
 */
import { execFile } from "node:child_process";
import { AppRunnerError } from "../errors/app-runner-error.js";

export interface HostExecOptions {
  /** Written to the command's stdin (then closed). */
  input?: string;
  /** Kill the command after this long (default 30 s). */
  timeoutMs?: number;
  /** Working directory (relative paths in the arguments resolve against it). */
  cwd?: string;
}

export interface HostExecResult {
  stdout: string;
  stderr: string;
}

/** sbin directories are not always on a service's PATH; the host tools live there. */
const PATH = [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
  .filter((p) => p !== "")
  .join(":");

export function execHost(cmd: string, args: readonly string[], opts: HostExecOptions = {}): Promise<HostExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PATH }, ...(opts.cwd ? { cwd: opts.cwd } : {}) },
      (err, stdout, stderr) => {
        if (err) {
          const why = stderr.trim() || (err.killed ? `timed out or killed (${err.signal ?? "?"})` : err.message);
          reject(new AppRunnerError("HostSetupFailed", `${cmd} ${args.join(" ")}: ${why}`, { cause: err }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    // stdin: the batch script, or closed at once so nothing waits on it.
    child.stdin?.on("error", () => {
      // EPIPE when the command exits before reading its input; its exit status reports the failure.
    });
    child.stdin?.end(opts.input ?? "");
  });
}

/** True when a HostSetupFailed message says the object is already gone (idempotent teardown). */
export function isGoneError(err: unknown, ...patterns: RegExp[]): boolean {
  if (!(err instanceof AppRunnerError)) return false;
  return patterns.some((p) => p.test(err.message));
}
