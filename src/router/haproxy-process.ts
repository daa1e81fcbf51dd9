import { execFile, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { paths } from "./haproxy-config.js";
import { parseInfo, parseShowProc, RuntimeApi, type ProcList } from "./runtime-api.js";

const run = promisify(execFile);

export type Logger = (message: string, fields?: Record<string, unknown>) => void;

export interface HaproxyProcessOptions {
  routerDir: string;
  logger: Logger;
  /** The haproxy executable; "haproxy" on PATH by default. */
  binary?: string;
}

/** True when `pid` is a live (not zombie) haproxy process: guards every signal against PID reuse. */
export async function isHaproxy(pid: number): Promise<boolean> {
  try {
    const [cmdline, stat] = await Promise.all([readFile(`/proc/${pid}/cmdline`, "utf8"), readFile(`/proc/${pid}/stat`, "utf8")]);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && (cmdline.split("\0")[0] ?? "").endsWith("haproxy");
  } catch {
    return false;
  }
}

/** The last `bytes` of a file as lines ("" when it cannot be read): HAProxy's log only grows. */
async function tailLines(path: string, lines: number, bytes = 16_384): Promise<string[]> {
  try {
    const f = await open(path, "r");
    try {
      const { size } = await f.stat();
      const start = Math.max(0, size - bytes);
      const buf = Buffer.alloc(size - start);
      await f.read(buf, 0, buf.length, start);
      return buf.toString("utf8").split("\n").filter((l) => l !== "").slice(-lines);
    } finally {
      await f.close();
    }
  } catch {
    return [];
  }
}

/**
 * One HAProxy master (-W) per routerDir, started detached so that the data plane keeps serving
 * when the control plane exits. It is only ever signalled by the PID it recorded.
 */
/** How long a dead master's exit status may take to reach Node after the watchdog saw it gone. */
const EXIT_REPORT_WAIT_MS = 500;

export class HaproxyProcess {
  readonly admin: RuntimeApi;
  readonly master: RuntimeApi;
  masterPid: number | undefined;
  private readonly p: ReturnType<typeof paths>;
  private readonly binary: string;
  /** How masters this process started ended, by PID, once Node reports it (an adopted master is not our child). */
  private readonly exits = new Map<number, Promise<string>>();
  /** The master's workers when last seen: a dead master's workers are stopped before a new start. */
  private workers: number[] = [];

  constructor(private readonly opts: HaproxyProcessOptions) {
    this.p = paths(opts.routerDir);
    this.admin = new RuntimeApi(this.p.adminSocket);
    this.master = new RuntimeApi(this.p.masterSocket);
    this.binary = opts.binary ?? "haproxy";
  }

  /** `haproxy -c -f <file>`: throws HostSetupFailed with HAProxy's own message when the config is invalid. */
  async validate(configFile: string): Promise<void> {
    try {
      await run(this.binary, ["-c", "-q", "-f", configFile], { timeout: 30_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      const message = `${e.stderr ?? ""}${e.stdout ?? ""}`.trim() || String(err);
      throw new AppRunnerError("HostSetupFailed", `HAProxy rejected the configuration: ${message}`, { cause: err });
    }
  }

  /** Validates the text in a side file, then moves it over haproxy.cfg: the running config is never replaced by a bad one. */
  private async install(configText: string): Promise<void> {
    const next = `${this.p.config}.next`;
    await writeFile(next, configText, { mode: 0o600 });
    await this.validate(next);
    await rename(next, this.p.config);
  }

  /** Reuses a running master of this routerDir: its pid file names a live haproxy and the admin socket answers. */
  async adopt(): Promise<boolean> {
    let pid: number;
    try {
      pid = Number((await readFile(this.p.pidFile, "utf8")).trim());
    } catch {
      return false;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !(await isHaproxy(pid))) return false;
    if (!(await this.admin.answers())) return false;
    const procs = await this.procs().catch(() => undefined);
    if (procs?.masterPid !== pid) return false;
    this.masterPid = pid;
    this.opts.logger("adopted running haproxy", { masterPid: pid, workers: procs.workers });
    return true;
  }

  async start(configText: string): Promise<void> {
    await this.install(configText);
    await rm(this.p.pidFile, { force: true });
    const logFd = openSync(this.p.log, "a", 0o600);
    let child;
    try {
      child = spawn(this.binary, ["-W", "-f", this.p.config, "-S", `${this.p.masterSocket},mode,600`], {
        detached: true,
        stdio: ["ignore", logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    let exited: string | undefined;
    const pid = child.pid;
    const reported = new Promise<string>((done) =>
      child.on("exit", (code, signal) => {
        exited = `exited with ${signal ?? `code ${code ?? "?"}`}`;
        done(exited);
      }),
    );
    if (pid !== undefined) this.exits.set(pid, reported);
    child.on("error", (err) => (exited = err.message));
    child.unref();
    for (let i = 0; i < 200 && exited === undefined; i++) {
      const worker = pid !== undefined ? await this.currentWorker() : undefined;
      if (pid !== undefined && worker !== undefined) {
        this.masterPid = pid;
        this.workers = [worker];
        this.opts.logger("haproxy started", { masterPid: pid });
        return;
      }
      await sleep(50);
    }
    const tail = (await tailLines(this.p.log, 10)).join("\n");
    if (pid !== undefined && exited === undefined && (await isHaproxy(pid))) process.kill(pid, "SIGTERM");
    throw new AppRunnerError("HostSetupFailed", `HAProxy did not start (${exited ?? "no answer within 10 s"}): ${tail}`);
  }

  /** `show proc` on the master CLI. */
  async procs(): Promise<ProcList> {
    const procs = parseShowProc(await this.master.command("show proc"));
    this.workers = [...procs.workers, ...procs.oldWorkers];
    return procs;
  }

  /** True while the recorded master runs (not a zombie, still haproxy). */
  async alive(): Promise<boolean> {
    return this.masterPid !== undefined && (await isHaproxy(this.masterPid));
  }

  /** Why the master `pid` is gone: how it exited (when it was our child) and HAProxy's last alerts. */
  async exitReason(pid: number): Promise<string> {
    // The watchdog can see the master gone before Node has reaped it and told how: wait briefly for that.
    const reported = this.exits.get(pid);
    this.exits.delete(pid);
    const how = (reported && (await Promise.race([reported, sleep(EXIT_REPORT_WAIT_MS, undefined)]))) ?? "exited";
    const alerts = (await tailLines(this.p.log, 40))
      .filter((l) => /\[ALERT\]|Exiting|exited with code [1-9]|malloc|Segmentation|Aborted/.test(l))
      .slice(-3)
      .map((l) => l.replace(/\s+/g, " ").trim());
    return `HAProxy master ${pid} ${how}${alerts.length > 0 ? `; its log: ${alerts.join(" | ")}` : ""}`;
  }

  /** Workers of a master that is gone normally exit with it; any left would serve an old configuration. */
  async stopOrphans(): Promise<void> {
    const left = this.workers;
    this.workers = [];
    for (const pid of left) {
      // Its PID may have been reused, even by another HAProxy on this machine: only ours, by its config path.
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if ((await isHaproxy(pid)) && cmdline.split("\0").includes(this.p.config)) {
        this.opts.logger("stopping a worker of the HAProxy master that exited", { workerPid: pid });
        process.kill(pid, "SIGTERM");
      }
    }
  }

  /** The pid of the worker that answers on the admin socket, if it is the master's current one. */
  private async currentWorker(): Promise<number | undefined> {
    try {
      const procs = await this.procs();
      const pid = Number(parseInfo(await this.admin.command("show info")).get("Pid"));
      return procs.workers.includes(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Validates and installs the new configuration, asks the master to reload (hitless: the new
   * worker takes the listening sockets over, the old one finishes its requests), and returns once
   * the new worker answers on the admin socket.
   */
  async reload(configText: string): Promise<{ workerPid: number; ms: number }> {
    const started = performance.now();
    await this.install(configText);
    const before = await this.procs();
    const beforeFailed = await this.failedReloads();
    // The master re-executes itself: the connection may close without an answer.
    await this.master.command("reload").catch((err: unknown) => this.opts.logger("reload command", { error: String(err) }));
    for (let i = 0; i < 300; i++) {
      await sleep(20);
      const procs = await this.procs().catch(() => undefined);
      if (!procs) continue;
      if (procs.reloads > before.reloads) {
        const fresh = procs.workers.find((w) => !before.workers.includes(w));
        if (fresh !== undefined && (await this.currentWorker()) === fresh) {
          return { workerPid: fresh, ms: Math.round(performance.now() - started) };
        }
        if (fresh === undefined && (await this.failedReloads()) > beforeFailed) break;
      }
    }
    const tail = (await tailLines(this.p.log, 10)).join("\n");
    throw new AppRunnerError("HostSetupFailed", `HAProxy reload did not complete: ${tail}`);
  }

  private async failedReloads(): Promise<number> {
    const text = await this.master.command("show proc").catch(() => "");
    return Number(/\[failed: (\d+)\]/.exec(text)?.[1] ?? 0);
  }

  /** Soft stop (SIGUSR1: finish requests), SIGTERM after graceMs, by the recorded master PID only. */
  async stop(graceMs = 10_000): Promise<void> {
    const pid = this.masterPid;
    if (pid !== undefined && (await isHaproxy(pid))) {
      process.kill(pid, "SIGUSR1");
      if (!(await this.waitGone(pid, graceMs))) {
        this.opts.logger("haproxy did not stop softly; terminating", { masterPid: pid });
        if (await isHaproxy(pid)) process.kill(pid, "SIGTERM");
        if (!(await this.waitGone(pid, 5000)) && (await isHaproxy(pid))) process.kill(pid, "SIGKILL");
      }
    }
    this.masterPid = undefined;
    await Promise.all([this.p.pidFile, this.p.adminSocket, this.p.masterSocket].map((f) => rm(f, { force: true })));
  }

  private async waitGone(pid: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!(await isHaproxy(pid))) return true;
      await sleep(50);
    }
    return !(await isHaproxy(pid));
  }
}
