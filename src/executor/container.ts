/**
 * One instance's container: instance dir + overlay + OCI bundle + detached runc, and the reads
 * the driver polls (state, usage) straight from runc state and cgroup v1 files.
 */
import { chown, lstat, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { EXIT_FILE, TRAP_SET_FILE, bundlePaths, defaultHostname, hostsFile, makeBundleSpec, type BundleOptions } from "./bundle.js";
import { namespaceResolvConf, parseResolvConf } from "./egress.js";
import { nofileLimit, readHostResolvConf } from "./host-facts.js";
import { destroyNetwork, listNetworks, networkForSlot } from "./network.js";
import { DEFAULT_EPHEMERAL_STORAGE_BYTES, removeSpareDisks } from "./ephemeral-disk.js";
import { listOverlayMounts, mountDisk, mountOverlay, unmountOverlay } from "./overlay.js";
import * as runc from "./runc.js";
import { PRIVATE_FILE_MODE } from "../util/private-files.js";
import { readUntrustedFile } from "../util/untrusted-file.js";
import type { ContainerRef, ContainerSpec, ContainerState, ContainerUsage, HostLayout } from "./types.js";

const CGROUP_ROOT = "/sys/fs/cgroup";
/** Marker written first into every instance dir: lets crash cleanup map dirs to containers and slots. */
const MARKER = "container.json";
/** An exit status is at most "255\n"; anything longer was not written by the recorder. */
const EXIT_FILE_MAX_BYTES = 16;

interface Marker {
  containerId: string;
  cgroupsPath: string;
  slot: number;
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

const diskBytes = (spec: ContainerSpec): number => spec.limits.ephemeralStorageBytes ?? DEFAULT_EPHEMERAL_STORAGE_BYTES;

/**
 * The instance dir with its marker and its disk (ephemeral storage), mounted. Needs no network,
 * so the driver runs it beside createNetwork; createContainer does it too (idempotent).
 */
export async function prepareContainer(spec: ContainerSpec): Promise<void> {
  await mkdir(spec.dir, { recursive: true });
  const marker: Marker = { containerId: spec.containerId, cgroupsPath: spec.cgroupsPath, slot: spec.network.slot };
  // Written aside and renamed into place: a kill -9 mid-write must not leave a marker that
  // cleanupLeftovers cannot read (an empty one failed every later cleanup of the directory).
  await writeFile(`${spec.dir}/${MARKER}.tmp`, JSON.stringify(marker), { mode: PRIVATE_FILE_MODE });
  await rename(`${spec.dir}/${MARKER}.tmp`, `${spec.dir}/${MARKER}`);
  await mountDisk(spec.dir, diskBytes(spec));
}

/**
 * Everything of a start that holds no process (issue 20's cold start, what a service at zero
 * keeps for its wake by default): the instance dir and disk, the overlay over the unpacked image,
 * hosts and resolv.conf, and config.json WITHOUT the environment (the service's variables and its
 * secrets' values never sit on disk while it waits). launchContainer finishes it.
 */
export async function prepareBundle(spec: ContainerSpec, opts: BundleOptions = {}): Promise<void> {
  const paths = bundlePaths(spec.dir);
  // The state dir, hosts and resolv.conf live on the instance's disk: mount it first.
  await prepareContainer(spec);
  await mountOverlay(spec.imageRootfs, spec.dir, { diskBytes: diskBytes(spec) });
  await mkdir(paths.state, { recursive: true });
  // The app (any uid) writes its exit status here through the recorder; a stale one is not its.
  await rm(`${paths.state}/${EXIT_FILE}`, { force: true });
  await rm(`${paths.state}/${TRAP_SET_FILE}`, { force: true });
  await chown(paths.state, spec.uid, spec.gid);
  await writeFile(paths.hosts, hostsFile(opts.hostname ?? defaultHostname(spec.containerId), spec.network.instanceAddress));
  await writeFile(paths.resolv, namespaceResolvConf(parseResolvConf(await readHostResolvConf())));
  const bundle = makeBundleSpec(spec, { nofileLimit: await nofileLimit(), ...opts });
  await writeFile(paths.config, JSON.stringify(withoutEnvironment(bundle), null, 2), { mode: PRIVATE_FILE_MODE });
}

/**
 * The rest of a start, over a bundle prepareBundle made: config.json gets the environment, runc
 * starts the container detached (or with `how: "create"` only creates it: its process waits in
 * `runc init` for startContainer), then config.json is stripped of the environment again.
 */
export async function launchContainer(spec: ContainerSpec, opts: BundleOptions = {}, how: "run" | "create" = "run"): Promise<void> {
  const paths = bundlePaths(spec.dir);
  const bundle = makeBundleSpec(spec, { nofileLimit: await nofileLimit(), ...opts });
  // It carries the service's environment: runc (root) reads it, nobody else.
  await writeFile(paths.config, JSON.stringify(bundle, null, 2), { mode: PRIVATE_FILE_MODE });
  try {
    await runc.runDetached(spec.containerId, spec.dir, `${spec.dir}/output.log`, how);
  } catch (err) {
    // A failed start leaves a "created"/"stopped" entry or a half-made cgroup behind; remove them.
    await runc.deleteForce(spec.containerId);
    throw err instanceof AppRunnerError
      ? new AppRunnerError("InstanceFailed", err.message, { cause: err })
      : err;
  } finally {
    // The environment (the service's variables, its secrets' values) must not stay on disk in
    // clear, started or not: runc read the bundle at create and keeps its own copy under its
    // root (/run, memory). Only `runc exec` reads config.json again, for its defaults: it gets
    // the bundle without the environment but PATH (a command exec'd for debugging sees none of
    // the app's variables).
    await writeFile(paths.config, JSON.stringify(withoutEnvironment(bundle), null, 2), { mode: PRIVATE_FILE_MODE });
  }
}

/** prepareBundle then launchContainer: a whole start (`run`), or one made ahead up to `runc create`. Idempotent. */
export async function createContainer(spec: ContainerSpec, opts: BundleOptions = {}, how: "run" | "create" = "run"): Promise<void> {
  const existing = runc.exists(spec.containerId) ? await runc.state(spec.containerId) : null;
  // Idempotent: a create retried after it already started is a no-op.
  if (existing && (existing.status === "running" || existing.status === "created")) return;
  if (existing) await runc.deleteForce(spec.containerId);
  await prepareBundle(spec, opts);
  await launchContainer(spec, opts, how);
}

/**
 * Starts the app of a container made by `createContainer(..., "create")`: the few milliseconds
 * left of a start once everything else was done ahead (issue 20's cold start).
 */
export async function startContainer(ref: ContainerRef): Promise<void> {
  try {
    await runc.startCreated(ref.containerId);
  } catch (err) {
    throw err instanceof AppRunnerError ? new AppRunnerError("InstanceFailed", err.message, { cause: err }) : err;
  }
}

/** PID 1 of a container runc started (0: none), read from runc's state file without a runc process. */
export function containerPid(ref: ContainerRef): Promise<number> {
  return runc.initPid(ref.containerId);
}

/** Pure: a bundle spec whose process keeps only PATH of its environment. */
export function withoutEnvironment(bundle: Record<string, unknown>): Record<string, unknown> {
  const process = bundle.process as { env?: unknown } | undefined;
  if (!process || !Array.isArray(process.env)) return bundle;
  const env = process.env.filter((e): e is string => typeof e === "string" && e.startsWith("PATH="));
  return { ...bundle, process: { ...process, env } };
}

/** running (pid) / stopped (exit code, OOM) / missing. Read before destroyContainer: delete removes the cgroup. */
export async function containerState(ref: ContainerRef): Promise<ContainerState> {
  const s = runc.exists(ref.containerId) ? await runc.state(ref.containerId) : null;
  if (!s) return { status: "missing" };
  if (s.status === "running" || s.status === "created" || s.status === "creating" || s.status === "paused") {
    return { status: "running", pid: s.pid };
  }
  return { status: "stopped", exitCode: await recordedExit(ref), oomKilled: await oomKilled(ref) };
}

/**
 * The recorder writes the exit status unless PID 1 itself was SIGKILLed (runc kill KILL, or the
 * OOM killer picking it): then there is no file and the status is 137 like Docker reports. Null
 * if the container never ran (no state dir at all), or the app put something else than a plain
 * small file where the status goes.
 */
async function recordedExit(ref: ContainerRef): Promise<number | null> {
  const { state } = bundlePaths(ref.dir);
  // The app owns the state dir: its exit file may be a link to a host file, a FIFO or huge.
  const exit = await readUntrustedFile(`${state}/${EXIT_FILE}`, EXIT_FILE_MAX_BYTES);
  if (exit.kind === "refused") return null;
  if (exit.kind === "read") {
    const n = Number.parseInt(exit.text.trim(), 10);
    return Number.isNaN(n) || exit.truncated ? null : n;
  }
  try {
    await readdir(state);
    return 137;
  } catch (err) {
    // No state dir: never ran.
    if (errno(err) === "ENOENT") return null;
    throw err;
  }
}

async function oomKilled(ref: ContainerRef): Promise<boolean> {
  return (await oomKillCount(ref)) > 0;
}

/** Processes the kernel's OOM killer has killed in the instance's memory cgroup (0 once it is gone). */
export async function oomKillCount(ref: Pick<ContainerRef, "cgroupsPath">): Promise<number> {
  try {
    const text = await readFile(`${CGROUP_ROOT}/memory${ref.cgroupsPath}/memory.oom_control`, "utf8");
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch (err) {
    // The cgroup is gone (already deleted): nothing to tell.
    if (errno(err) === "ENOENT") return 0;
    throw err;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await runc.processGone(pid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function trapSet(ref: ContainerRef): Promise<boolean> {
  // The app can write the state dir too: anything but a plain file there is no sign from the recorder.
  return (await readUntrustedFile(`${bundlePaths(ref.dir).state}/${TRAP_SET_FILE}`, EXIT_FILE_MAX_BYTES)).kind === "read";
}

/** Until the recorder's trap is set (true), the container is gone or ms pass (false). */
async function waitTrapSet(ref: ContainerRef, pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await trapSet(ref)) return true;
    if ((await runc.processGone(pid)) || Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. No-op when not running. */
export async function stopContainer(ref: ContainerRef, graceMs: number): Promise<void> {
  const s = await runc.state(ref.containerId);
  if (!s || s.status === "stopped") return;
  if (graceMs > 0 && (await runc.kill(ref.containerId, "TERM"))) {
    const deadline = Date.now() + graceMs;
    // Stopped moments after its start, the recorder may not have set its trap: that TERM was
    // dropped (PID 1 without a handler), so it goes again once the trap is set.
    if (!(await trapSet(ref)) && (await waitTrapSet(ref, s.pid, graceMs))) await runc.kill(ref.containerId, "TERM");
    if (await waitGone(s.pid, Math.max(0, deadline - Date.now()))) return;
  }
  if (await runc.kill(ref.containerId, "KILL")) {
    if (!(await waitGone(s.pid, 5_000))) {
      throw new AppRunnerError("InstanceFailed", `container ${ref.containerId} did not die after SIGKILL`);
    }
  }
}

/** Removes the instance's cgroup in every hierarchy (runc delete usually has; crashes may leave them). */
async function removeCgroup(cgroupsPath: string): Promise<void> {
  for (const hierarchy of await readdir(CGROUP_ROOT)) {
    await rmdirRetry(`${CGROUP_ROOT}/${hierarchy}${cgroupsPath}`);
  }
}

/** rmdir a cgroup; EBUSY while its last processes are still being reaped, so retry briefly. */
async function rmdirRetry(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      // Already gone (or never created in this hierarchy): fine.
      if (errno(err) === "ENOENT") return;
      if (errno(err) !== "EBUSY" || attempt >= 50) {
        throw new AppRunnerError("HostSetupFailed", `rmdir ${path}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Kills and deletes the container, unmounts the overlay, removes cgroups and the instance dir. Idempotent. */
export async function destroyContainer(ref: ContainerRef): Promise<void> {
  await runc.deleteForce(ref.containerId);
  await unmountOverlay(ref.dir);
  await removeCgroup(ref.cgroupsPath);
  await rm(ref.dir, { recursive: true, force: true });
}

async function readNumber(path: string): Promise<number> {
  return Number((await readFile(path, "utf8")).trim());
}

/** CPU and memory from cgroup v1 files (no process spawned). Memory excludes inactive page cache, like `docker stats`. */
export async function containerUsage(ref: ContainerRef): Promise<ContainerUsage> {
  const mem = `${CGROUP_ROOT}/memory${ref.cgroupsPath}`;
  try {
    const [cpuNanos, usage, limit, stat] = await Promise.all([
      readNumber(`${CGROUP_ROOT}/cpuacct${ref.cgroupsPath}/cpuacct.usage`),
      readNumber(`${mem}/memory.usage_in_bytes`),
      readNumber(`${mem}/memory.limit_in_bytes`),
      readFile(`${mem}/memory.stat`, "utf8"),
    ]);
    const inactive = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
    return { cpuNanos, memoryBytes: Math.max(0, usage - inactive), memoryLimitBytes: limit };
  } catch (err) {
    if (errno(err) === "ENOENT") {
      throw new AppRunnerError("InstanceFailed", `container ${ref.containerId} has no cgroup (not running or deleted)`);
    }
    throw err;
  }
}

async function readMarker(dir: string): Promise<Marker | "unreadable" | null> {
  try {
    return JSON.parse(await readFile(`${dir}/${MARKER}`, "utf8")) as Marker;
  } catch (err) {
    // Not an instance dir of ours, or created before the marker was written (its mounts are
    // found without it, below); "unreadable": a marker an older version left half-written.
    if (errno(err) === "ENOENT") return null;
    if (err instanceof SyntaxError) return "unreadable";
    throw err;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    // Nothing was ever created there.
    if (errno(err) === "ENOENT") return [];
    throw err;
  }
}

/**
 * Crash recovery (and tests): removes runc containers, overlays, instance dirs, cgroups and
 * networks of this prefix that do not belong to a container in `keep`. Networks of kept
 * containers are found through their instance dir's marker; pass `keepSlots` to keep others.
 */
export async function cleanupLeftovers(
  layout: HostLayout,
  keep: ReadonlySet<string>,
  keepSlots: ReadonlySet<number> = new Set(),
): Promise<void> {
  const idPrefix = `${layout.prefix}-`;
  await removeSpareDisks(layout.instancesDir);
  for (const id of await runc.list(idPrefix)) {
    if (!keep.has(id)) await runc.deleteForce(id);
  }

  const slots = new Set(keepSlots);
  const keptDirs = new Set<string>();
  for (const name of await readdirOrEmpty(layout.instancesDir)) {
    const dir = `${layout.instancesDir}/${name}`;
    const marker = await readMarker(dir);
    if (!marker) continue;
    if (marker === "unreadable") {
      // Its container was deleted above and its cgroup and network go below, by prefix and slot.
      await unmountOverlay(dir);
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (keep.has(marker.containerId)) {
      slots.add(marker.slot);
      keptDirs.add(dir);
      continue;
    }
    await unmountOverlay(dir);
    await removeCgroup(marker.cgroupsPath);
    await rm(dir, { recursive: true, force: true });
  }
  // Overlays and disks whose dir has no marker (a crash in between) or lies elsewhere below instancesDir.
  for (const mount of await listOverlayMounts(layout.instancesDir)) {
    const dir = mount.replace(/\/(rootfs|disk)$/, "");
    if (dir !== mount && !keptDirs.has(dir)) await unmountOverlay(dir);
  }

  // cgroups live at /<prefix>/<instanceId> in every hierarchy; the instance id is the container id after "<prefix>-".
  for (const hierarchy of await readdir(CGROUP_ROOT)) {
    const base = `${CGROUP_ROOT}/${hierarchy}/${layout.prefix}`;
    const names = await readdirOrEmpty(base);
    for (const name of names) {
      if (keep.has(`${idPrefix}${name}`)) continue;
      // Only child cgroups are directories; the rest are the parent's control files.
      if (!(await isDir(`${base}/${name}`))) continue;
      await rmdirRetry(`${base}/${name}`);
    }
    try {
      await rmdir(base);
    } catch (err) {
      // Kept containers still live under it, or it never existed in this hierarchy.
      if (!["ENOENT", "ENOTEMPTY", "EBUSY"].includes(errno(err) ?? "")) throw err;
    }
  }

  for (const slot of await listNetworks(layout)) {
    if (!slots.has(slot)) await destroyNetwork(networkForSlot(layout, slot));
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch (err) {
    // Removed meanwhile.
    if (errno(err) === "ENOENT") return false;
    throw err;
  }
}
