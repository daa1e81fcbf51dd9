/*
 * A private Docker daemon for tests: Debian's `dockerd` with its own data root, exec root,
 * socket, pid file and containerd namespace, never a Docker the machine already runs. It
 * touches no iptables (--iptables=false, no default bridge), so it cannot change the host's
 * firewall or forwarding. Swarm mode needs `docker_gwbridge` in the host's network namespace,
 * a name only one swarm daemon can hold: those daemons take turns (a lock directory).
 * Everything is removed by the PID and the paths it recorded, even after a crashed test run.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineApi } from "../../src/runtime/swarm/engine-api.js";
import { isAlive } from "../../src/runtime/local/exit-reason.js";
import { onPath } from "./host-tools.js";
import { stopPid } from "./pids.js";
import { removeTestCgroups } from "./test-cgroups.js";

/** Every private daemon's directory is `/tmp/ord-<hex>`: short, because containerd's sockets live under it. */
const DIR_PREFIX = "/tmp/ord-";
const SWARM_LOCK = "/tmp/openrunner-test-swarm.lock";

export interface PrivateDockerd {
  /** The daemon's directory (data root, exec root, socket, pid file, log). */
  dir: string;
  socket: string;
  pid: number;
  api: EngineApi;
  /** Leaves the swarm, stops the daemon by its PID, unmounts and removes everything it made. */
  stop(): Promise<void>;
}

/** A node:test `skip` value: false when a private dockerd can run here, else why not. */
export function dockerdSkipReason(): string | false {
  if (process.getuid?.() !== 0) return "needs root to run a private dockerd";
  for (const c of ["dockerd", "containerd", "runc"]) if (!onPath(c)) return `needs ${c} (Debian's docker.io, installed by scripts/bootstrap.sh --test)`;
  return false;
}

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, "utf8").trim()) || 0;
  } catch {
    return 0; // No pid file: never started, or stopped.
  }
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string): void {
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync("umount", ["-l", m], { stdio: "ignore" });
    } catch {
      // Already gone with a parent mount.
    }
  }
}

/** Removes what a daemon of this directory left: its process, mounts, swarm bridge and files. */
async function removeDaemonDir(dir: string, swarm: boolean): Promise<void> {
  await stopPid(readPid(join(dir, "docker.pid")), 20_000);
  // The daemon's containerd ends with it; a containerd-shim of a container it could not stop is ours too.
  for (const shim of shimsUnder(dir)) await stopPid(shim, 2_000);
  unmountAll(dir);
  if (swarm && existsSync(join(dir, "gwbridge.ours"))) {
    try {
      execFileSync("ip", ["link", "del", "docker_gwbridge"], { stdio: "ignore" });
    } catch {
      // The daemon removed it.
    }
  }
  await removeTestCgroups(dir.slice(DIR_PREFIX.length));
  rmSync(dir, { recursive: true, force: true });
}

/** containerd-shim processes whose command line names this daemon's directory. */
function shimsUnder(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmd.startsWith("/usr/bin/containerd-shim") && cmd.includes(dir)) out.push(Number(p));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Daemons of earlier test runs whose test process is gone (a crash, a killed run). */
async function removeAbandoned(): Promise<void> {
  for (const name of readdirSync("/tmp")) {
    const dir = `/tmp/${name}`;
    if (!dir.startsWith(DIR_PREFIX)) continue;
    if (isAlive(readPid(join(dir, "owner.pid")))) continue;
    await removeDaemonDir(dir, true);
  }
  if (existsSync(SWARM_LOCK) && !isAlive(readPid(join(SWARM_LOCK, "owner.pid")))) rmSync(SWARM_LOCK, { recursive: true, force: true });
}

/** Waits (bounded) for the swarm lock: one swarm-mode private daemon on the host at a time. */
async function takeSwarmLock(timeoutMs: number): Promise<() => void> {
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(SWARM_LOCK);
      writeFileSync(join(SWARM_LOCK, "owner.pid"), String(process.pid));
      return () => rmSync(SWARM_LOCK, { recursive: true, force: true });
    } catch {
      if (!isAlive(readPid(join(SWARM_LOCK, "owner.pid")))) {
        rmSync(SWARM_LOCK, { recursive: true, force: true });
        continue;
      }
      if (waited > timeoutMs) throw new Error(`another test's swarm daemon held ${SWARM_LOCK} for ${timeoutMs} ms`);
      await sleep(500);
    }
  }
}

/**
 * Before the daemon's SIGTERM: its services removed and its containers killed (force). Left to
 * dockerd's shutdown, each running container gets SIGTERM and its stop timeout in turn (the test
 * apps ignore SIGTERM: 5-10 s a container). What cannot be removed here (the daemon no longer
 * answers) goes with the daemon's process and directory anyway, so a failure is only reported.
 */
async function removeWorkloads(api: EngineApi, swarm: boolean): Promise<void> {
  const report = (what: string) => (err: unknown): void => console.error(`private dockerd: removing ${what}: ${String(err)}`);
  const timeoutMs = 15_000;
  if (swarm) {
    const services = await api.call<{ ID: string }[]>({ path: "/services", timeoutMs }).catch((err: unknown) => (report("services")(err), []));
    await Promise.all(services.map((s) => api.call({ method: "DELETE", path: `/services/${s.ID}`, timeoutMs }).catch(report(`service ${s.ID}`))));
  }
  const containers = await api.call<{ Id: string }[]>({ path: "/containers/json", query: { all: 1 }, timeoutMs }).catch((err: unknown) => (report("containers")(err), []));
  await Promise.all(containers.map((c) => api.call({ method: "DELETE", path: `/containers/${c.Id}`, query: { force: true, v: true }, timeoutMs }).catch(report(`container ${c.Id}`))));
}

export interface PrivateDockerdOptions {
  /** `docker swarm init --advertise-addr 127.0.0.1` once it runs. */
  swarm?: boolean;
  /** More dockerd flags (`--insecure-registry`, ...). */
  args?: string[];
}

/** Starts a private dockerd (and a single-node swarm on 127.0.0.1 with `swarm`). */
export async function startPrivateDockerd(opts: PrivateDockerdOptions = {}): Promise<PrivateDockerd> {
  await removeAbandoned();
  const release = opts.swarm ? await takeSwarmLock(15 * 60_000) : () => undefined;
  const dir = `${DIR_PREFIX}${randomBytes(3).toString("hex")}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const socket = join(dir, "docker.sock");
  let api: EngineApi | undefined;
  const stop = async (): Promise<void> => {
    try {
      if (api) await removeWorkloads(api, opts.swarm ?? false);
      await removeDaemonDir(dir, opts.swarm ?? false);
    } finally {
      release();
    }
  };
  try {
    if (opts.swarm) {
      if (existsSync("/sys/class/net/docker_gwbridge")) throw new Error("docker_gwbridge exists on this host: another Docker swarm daemon runs here");
      writeFileSync(join(dir, "gwbridge.ours"), "");
    }
    const log = openSync(join(dir, "dockerd.log"), "a");
    const ns = `openrunner-test-${dir.slice(DIR_PREFIX.length)}`;
    const child = spawn(
      "dockerd",
      [
        "--data-root", join(dir, "data"),
        "--exec-root", join(dir, "x"),
        "--pidfile", join(dir, "docker.pid"),
        "--host", `unix://${socket}`,
        "--iptables=false", "--ip-masq=false", "--bridge=none",
        "--containerd-namespace", ns,
        "--containerd-plugins-namespace", `${ns}-plugins`,
        "--cgroup-parent", `/${ns}`,
        ...(opts.args ?? []),
      ],
      { stdio: ["ignore", log, log], detached: true },
    );
    closeSync(log);
    child.unref();
    for (let i = 0; i < 300 && !api; i++) {
      if (child.exitCode !== null) break;
      api = await EngineApi.connect(socket).catch(() => undefined);
      if (!api) await sleep(100);
    }
    if (!api) throw new Error(`dockerd did not answer on ${socket}:\n${readFileSync(join(dir, "dockerd.log"), "utf8").split("\n").slice(-15).join("\n")}`);
    // A 1 s heartbeat (Docker's is 5 s): task state reaches the manager sooner, so tests wait less.
    if (opts.swarm) await api.call({ method: "POST", path: "/swarm/init", body: { ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1", Spec: { Dispatcher: { HeartbeatPeriod: 1_000_000_000 } } } });
    return { dir, socket, pid: child.pid ?? 0, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
