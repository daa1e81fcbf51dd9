/**
 * The cold-start bench's baseline (bench/cold-start.ts): a bare `runc run --detach` of an
 * unpacked image, and what a service at zero holds for its next start (an instance made ahead up
 * to `runc create`), read from the runtime's files on this host.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { freePort } from "../../test/support/router-client.js";
import { sleep } from "./proc-status.js";

/** What a bare run needs of an app: its image and its command, on the host's network. */
export interface BareApp {
  rootfs: string;
  /** The command, given the port it must listen on (on 127.0.0.1 or all addresses). */
  args: (port: number) => string[];
  env: (port: number) => string[];
  cwd: string;
  uid: number;
  gid: number;
}

/** One GET; false when nothing answers 200 yet. */
function tryGet(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 500 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/**
 * `runc run --detach` of a bundle over the image's rootfs (read-only, host network, no cgroup
 * limits, no overlay, no disk of its own), polled every 1 ms until the app answers 200; ms from
 * the spawn to that answer. The container is deleted before it returns. `how: "start"`: `runc
 * create` first, untimed, then the time from `runc start` (what a runtime that creates ahead adds
 * to).
 */
export async function bareRuncRun(app: BareApp, bundlesDir: string, name: string, how: "run" | "start" = "run"): Promise<number> {
  const port = await freePort();
  const bundle = join(bundlesDir, name);
  mkdirSync(bundle, { recursive: true });
  execFileSync("runc", ["spec", "--bundle", bundle]);
  const specFile = join(bundle, "config.json");
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as {
    root: { path: string; readonly: boolean };
    process: { args: string[]; terminal: boolean; env: string[]; cwd: string; user: { uid: number; gid: number } };
    linux: { namespaces: { type: string }[] };
  };
  spec.root = { path: app.rootfs, readonly: true };
  spec.process = { ...spec.process, terminal: false, args: app.args(port), env: app.env(port), cwd: app.cwd, user: { uid: app.uid, gid: app.gid } };
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== "network");
  writeFileSync(specFile, JSON.stringify(spec));
  const id = `cold-start-bench-${process.pid}-${name}`;
  if (how === "start") execFileSync("runc", ["create", "--bundle", bundle, id], { stdio: "ignore" });
  const t0 = performance.now();
  const child = spawn("runc", how === "run" ? ["run", "--detach", "--bundle", bundle, id] : ["start", id], { stdio: "ignore" });
  try {
    const deadline = Date.now() + 30_000;
    while (!(await tryGet(port))) {
      if (Date.now() > deadline) throw new Error(`bare runc of ${name}: no answer on port ${port}`);
      await sleep(1);
    }
    return performance.now() - t0;
  } finally {
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
    execFileSync("runc", ["delete", "--force", id], { stdio: "ignore" });
  }
}

interface DeploymentFile {
  serviceId: string;
  role: string;
  imageRootfs: string;
  plan: { args: string[]; cwd: string; port: number };
  uid: number;
  gid: number;
}

/** The serving deployment's image and command (its record; the environment is sealed there, so PATH comes from the made-ahead bundle). */
export function deployedApp(dataDir: string, serviceId: string): Omit<BareApp, "env"> & { port: number } {
  const dir = join(dataDir, "runtime", "deployments");
  for (const f of readdirSync(dir)) {
    const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as DeploymentFile;
    if (d.serviceId !== serviceId || d.role !== "serving") continue;
    return { rootfs: d.imageRootfs, args: () => d.plan.args, cwd: d.plan.cwd, uid: d.uid, gid: d.gid, port: d.plan.port };
  }
  throw new Error(`no serving deployment of ${serviceId} in ${dir}`);
}

/** What a service at zero holds: its instance made ahead (prepared, or `runc create`d), read from /proc and its cgroup. */
export interface AheadFootprint {
  instanceId: string;
  state: "prepared" | "created";
  /** PATH of the instance's bundle (the rest of its environment is not on disk). */
  path: string;
  /** runc's init process, waiting for its start (0 when prepared: no process). */
  rssKiB: number;
  rssAnonKiB: number;
  /** The instance's memory cgroup (what the app's limit counts), bytes; 0 when it has none. */
  cgroupBytes: number;
}

/** runc's state of a container, undefined when runc does not know it (not made yet, or prepared: never). */
function runcState(containerId: string): { status: string; pid: number } | undefined {
  try {
    return JSON.parse(execFileSync("runc", ["state", containerId], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { status: string; pid: number };
  } catch {
    return undefined;
  }
}

export function aheadFootprint(dataDir: string, serviceId: string, want: "prepared" | "created"): AheadFootprint | undefined {
  const dir = join(dataDir, "runtime", "instances");
  for (const id of readdirSync(dir)) {
    const recordFile = join(dir, id, "instance.json");
    if (!existsSync(recordFile)) continue;
    const r = JSON.parse(readFileSync(recordFile, "utf8")) as { serviceId: string; phase: string; containerId: string };
    if (r.serviceId !== serviceId || r.phase !== "creating" || !existsSync(join(dir, id, "config.json"))) continue;
    const config = JSON.parse(readFileSync(join(dir, id, "config.json"), "utf8")) as { process: { env: string[] } };
    const path = config.process.env.find((e) => e.startsWith("PATH=")) ?? "PATH=/usr/local/bin:/usr/bin:/bin";
    const state = runcState(r.containerId);
    // Prepared: its bundle written (config.json comes last) and no runc container at all.
    if (want === "prepared") return state ? undefined : { instanceId: id, state: want, path, rssKiB: 0, rssAnonKiB: 0, cgroupBytes: 0 };
    if (state?.status !== "created") continue; // Not created yet (being made): the caller polls again.
    const status = readFileSync(`/proc/${state.pid}/status`, "utf8");
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    // The container id is `<prefix>-<instance id>` and its cgroup `/<prefix>/<instance id>`.
    const prefix = r.containerId.slice(0, r.containerId.length - id.length - 1);
    const cgroup = Number(readFileSync(`/sys/fs/cgroup/memory/${prefix}/${id}/memory.usage_in_bytes`, "utf8").trim());
    return { instanceId: id, state: want, path, rssKiB: kib("VmRSS"), rssAnonKiB: kib("RssAnon"), cgroupBytes: cgroup };
  }
  return undefined;
}
