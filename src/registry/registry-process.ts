import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { PeriodicTask, type TaskLogger } from "../util/periodic-task.js";

export interface RegistryProcessOptions {
  configPath: string;
  socketPath: string;
  pidFile: string;
  logger: TaskLogger;
  /** How often the process is checked for life; a restart follows within about this. */
  checkEveryMs?: number;
  binary?: string;
  /** Runs once per start, after a leftover registry is stopped and before the new one serves (garbage collection). */
  beforeServing?: () => Promise<void>;
}

/** Errors the registry logs for answers that are part of every push: checks for blobs and manifests not there yet. */
const EXPECTED_ANSWERS = /err\.code="(?:blob unknown|manifest unknown)"/;

/** Pure: the pause before the next check after `failures` failed starts in a row (at most 10 s). */
export function restartBackoffMs(everyMs: number, failures: number): number {
  return failures === 0 ? everyMs : Math.min(10_000, everyMs * 2 ** failures);
}

/** True when `pid` is a live docker-registry (guards every signal against PID reuse). */
function isRegistry(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z" && (cmdline[0] ?? "").endsWith("docker-registry");
  } catch {
    return false;
  }
}

/** A GET of /v2/ over the socket: any HTTP answer (401 without a token) means it serves. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath, path: "/v2/", method: "GET", timeout: 1000 }, (res) => {
      res.resume();
      done(true);
    });
    req.on("error", () => done(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/**
 * The supervised `docker-registry serve`: started with the control plane, checked by a
 * PeriodicTask (as the data plane's watchdog checks HAProxy) and started again when it has
 * exited, its stderr logged line by line with the registry's context. One per data directory:
 * a registry left by a control plane that was killed is stopped (by its recorded PID) first.
 */
export class RegistryProcess {
  private child: ChildProcess | undefined;
  private exited: string | undefined;
  private readonly watchdog: PeriodicTask;
  /** How many times the registry was started again after it exited. */
  restarts = 0;
  /** Failed starts in a row: the checks back off while the registry cannot start. */
  private failures = 0;

  constructor(private readonly opts: RegistryProcessOptions) {
    const everyMs = opts.checkEveryMs ?? 500;
    this.watchdog = new PeriodicTask({
      name: "registry watchdog",
      everyMs,
      nextRunInMs: () => restartBackoffMs(everyMs, this.failures),
      run: () => this.check(),
      logger: opts.logger,
      context: { component: "registry" },
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    await this.stopLeftover();
    await this.opts.beforeServing?.();
    await this.launch();
    this.watchdog.start();
  }

  async stop(): Promise<void> {
    await this.watchdog.stop();
    await this.terminate();
    await rm(this.opts.pidFile, { force: true });
  }

  private async check(): Promise<void> {
    if (this.child && this.exited === undefined) return;
    this.opts.logger("registry exited; starting it again", { component: "registry", reason: this.exited, failures: this.failures });
    this.restarts++;
    try {
      await this.launch();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      throw err;
    }
  }

  private async launch(): Promise<void> {
    // A socket file left by a killed registry makes the next one fail to listen.
    await rm(this.opts.socketPath, { force: true });
    const child = spawn(this.opts.binary ?? "docker-registry", ["serve", this.opts.configPath], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = undefined;
    child.on("exit", (code, signal) => {
      if (this.child === child) this.exited = `exited with ${signal ?? `code ${code ?? "?"}`}`;
    });
    child.on("error", (err) => {
      if (this.child === child) this.exited = err.message;
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => this.log(child.pid, line));
    }
    for (let i = 0; i < 200 && this.exited === undefined; i++) {
      if (await answers(this.opts.socketPath)) {
        await writeFile(this.opts.pidFile, `${child.pid ?? ""}\n`, { mode: 0o600 });
        this.opts.logger("registry started", { component: "registry", pid: child.pid });
        return;
      }
      await sleep(25);
    }
    const reason = this.exited ?? "it did not answer on its socket within 5 s";
    await this.terminate();
    throw new AppRunnerError("HostSetupFailed", `The built-in registry (docker-registry) could not start: ${reason}.`);
  }

  /** The registry's own lines, but for the answers every client gets in passing (a HEAD of a blob not pushed yet). */
  private log(pid: number | undefined, line: string): void {
    if (EXPECTED_ANSWERS.test(line)) return;
    this.opts.logger("registry", { component: "registry", pid, line });
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    const timeout = sleep(5000).then(() => "timeout");
    if ((await Promise.race([gone, timeout])) === "timeout") {
      child.kill("SIGKILL");
      await gone;
    }
  }

  private async stopLeftover(): Promise<void> {
    const pid = Number((await readFile(this.opts.pidFile, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(pid) || pid <= 1 || !isRegistry(pid)) return;
    this.opts.logger("stopping a registry left by an earlier control plane", { component: "registry", pid });
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && isRegistry(pid); i++) await sleep(50);
    if (isRegistry(pid)) process.kill(pid, "SIGKILL");
  }
}
