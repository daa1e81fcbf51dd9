/**
 * Thin runc wrappers. Containers run detached (`runc run -d`): runc exits once the container's
 * process has started, and the process keeps the log file descriptor it inherited.
 */
import { spawn } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { execHost, isGoneError } from "./exec.js";

const GONE = /does not exist/;
const NOT_RUNNING = /not running|container not running|process already finished/;

export interface RuncState {
  status: "creating" | "created" | "running" | "paused" | "stopped";
  pid: number;
}

/**
 * `runc run -d --bundle <dir> <id>` (or `runc create`: started later by `runc start`, once the
 * host has set up what needs the container's pid) with the container's stdout and stderr appended to
 * `logFile`. runc's own error text goes there too (same descriptors); it is also logged as JSON
 * to `<bundleDir>/runc.log` so a failed start reports why.
 */
export async function runDetached(containerId: string, bundleDir: string, logFile: string, how: "run" | "create" = "run"): Promise<void> {
  const runcLog = `${bundleDir}/runc.log`;
  const verb = how === "run" ? ["run", "-d"] : ["create"];
  // The app's output may hold secrets: the service account's only.
  const log = await open(logFile, "a", 0o600);
  try {
    const code = await new Promise<number | null>((resolveRun, rejectRun) => {
      const child = spawn("runc", ["--log", runcLog, "--log-format", "json", ...verb, "--bundle", bundleDir, containerId], {
        stdio: ["ignore", log.fd, log.fd],
        env: { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` },
        timeout: 30_000,
      });
      child.on("error", rejectRun);
      child.on("exit", (c) => resolveRun(c));
    });
    if (code !== 0) {
      throw new AppRunnerError("HostSetupFailed", `runc ${verb.join(" ")} ${containerId}: ${await lastRuncError(runcLog)}`);
    }
  } catch (err) {
    if (err instanceof AppRunnerError) throw err;
    throw new AppRunnerError("HostSetupFailed", `runc ${verb.join(" ")} ${containerId}: ${(err as Error).message}`, { cause: err });
  } finally {
    await log.close();
  }
}

/** The last error message runc logged (its JSON log has one object per line). */
async function lastRuncError(runcLog: string): Promise<string> {
  let text = "";
  try {
    text = await readFile(runcLog, "utf8");
  } catch (err) {
    return `exit status non-zero (no runc log: ${(err as Error).message})`;
  }
  const lines = text.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === "error" && entry.msg) return entry.msg;
    } catch {
      // Not JSON (a partial line): look further back.
    }
  }
  return lines[0] ?? "exit status non-zero";
}

/** runc's default state root for root (no --root is passed anywhere). */
const RUNC_ROOT = "/run/runc";

/** Cheap existence check (no process): runc keeps one state dir per container under its root. */
export function exists(containerId: string): boolean {
  return existsSync(`${RUNC_ROOT}/${containerId}`);
}

/** `runc state`; null when the container does not exist. */
export async function state(containerId: string): Promise<RuncState | null> {
  try {
    const { stdout } = await execHost("runc", ["state", containerId]);
    const parsed = JSON.parse(stdout) as { status: RuncState["status"]; pid: number };
    return { status: parsed.status, pid: parsed.pid };
  } catch (err) {
    if (isGoneError(err, GONE)) return null;
    throw err;
  }
}

/** `runc start`: runs the process of a container made by `runc create`. */
export async function start(containerId: string): Promise<void> {
  await execHost("runc", ["start", containerId]);
}

/**
 * What `runc start` does, without starting a runc process (6-30 ms on a busy host, most of what
 * is left of a wake from zero, issue 20): a container made by `runc create` waits in its init,
 * blocked opening `exec.fifo` under runc's state dir for writing; a reader's open lets it write
 * one byte and exec the app. As runc's own start (libcontainer's exec), the byte is read and the
 * fifo removed, after which `runc state` says "running". A blocked writer already counts as one,
 * so a non-blocking read says EAGAIN until the byte comes; end-of-file means no writer: the init
 * is gone, or has not reached its open yet (`runc create` may return just before), told apart by
 * its process. Without a fifo (not created, or a runc that works otherwise) it runs `runc start`, whose
 * error says why.
 */
export async function startCreated(containerId: string, timeoutMs = 10_000): Promise<void> {
  const fifo = `${RUNC_ROOT}/${containerId}/exec.fifo`;
  let handle;
  try {
    handle = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return start(containerId);
    throw err;
  }
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, null);
        if (bytesRead === 1) break;
        // End of file: no writer. Either the init is gone, or `runc create` returned before the
        // init reached its open of the fifo (seen under load): then it is only not there yet.
        if (!(await initAlive(containerId))) throw new AppRunnerError("HostSetupFailed", `container ${containerId}: its init exited before its start`);
      } catch (err) {
        if (err instanceof AppRunnerError || (err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      }
      if (Date.now() > deadline) throw new AppRunnerError("HostSetupFailed", `container ${containerId}: its init did not answer its start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    await handle.close();
  }
  await rm(fifo, { force: true });
}

/**
 * PID 1 of a container, from runc's own state file (no `runc state` process: 5-10 ms on a busy
 * host, on a wake's path); 0 when runc has no state for it.
 */
export async function initPid(containerId: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(`${RUNC_ROOT}/${containerId}/state.json`, "utf8")) as { init_process_pid?: number }).init_process_pid ?? 0;
  } catch (err) {
    // No state: never created, or deleted meanwhile.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}

/** Is the container's init (PID 1, from runc's state file) still there? */
async function initAlive(containerId: string): Promise<boolean> {
  const pid = await initPid(containerId);
  return pid > 0 && !(await processGone(pid));
}

/** Is this process gone (or a zombie)? Cheap polling without spawning runc. */
export async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Field 3, after the parenthesised command name (which may contain spaces).
    const st = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return st === "Z" || st === "X";
  } catch (err) {
    // ENOENT: reaped. ESRCH: it exited between opening its stat file and reading it.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return true;
    throw err;
  }
}

/** Sends a signal to the container's PID 1. False when it is not running or does not exist. */
export async function kill(containerId: string, signal: string): Promise<boolean> {
  try {
    await execHost("runc", ["kill", containerId, signal]);
    return true;
  } catch (err) {
    if (isGoneError(err, GONE, NOT_RUNNING)) return false;
    throw err;
  }
}

/** `runc delete -f`: kills it if running, removes runc's state and cgroups. Idempotent. */
export async function deleteForce(containerId: string): Promise<void> {
  try {
    await execHost("runc", ["delete", "-f", containerId]);
  } catch (err) {
    // Already deleted: teardown is idempotent.
    if (isGoneError(err, GONE)) return;
    throw err;
  }
}

/** Ids of runc containers starting with `prefix`. */
export async function list(prefix: string): Promise<string[]> {
  const { stdout } = await execHost("runc", ["list", "-f", "json"]);
  // runc prints "null" when there are no containers.
  const all = (JSON.parse(stdout) as { id: string }[] | null) ?? [];
  return all.map((c) => c.id).filter((id) => id.startsWith(prefix));
}
