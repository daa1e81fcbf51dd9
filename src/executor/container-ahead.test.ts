/**
 * Integration test of an instance made ahead (issue 20's cold start) with real runc: created,
 * its app not running until startContainer, which starts it through runc's exec fifo without a
 * runc process; a container whose init died reports it. Needs root, runc and a static
 * /bin/busybox; skipped otherwise. Every name carries a random prefix, and after() removes all
 * of it even when a test failed. No traffic leaves the namespace this test creates.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { cleanupLeftovers, containerState, createContainer, destroyContainer, launchContainer, prepareBundle, startContainer } from "./container.js";
import { createNetwork, destroyNetwork, networkForSlot } from "./network.js";
import * as runc from "./runc.js";
import type { ContainerSpec, HostLayout } from "./types.js";

const run = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
const skip = canRun ? false : "needs root, runc and /bin/busybox";

const prefix = `oa${Math.random().toString(36).slice(2, 6).padEnd(4, "0")}`;
const MB = 1024 * 1024;
let tmp = "";
let layout: HostLayout;
const made: ContainerSpec[] = [];

function specFor(name: string, args: string[]): ContainerSpec {
  const spec: ContainerSpec = {
    containerId: `${prefix}-${name}`,
    dir: `${layout.instancesDir}/${name}`,
    imageRootfs: `${tmp}/rootfs`,
    args,
    env: ["PATH=/bin", "HOME=/", "AHEAD_SECRET=kept-off-disk"],
    cwd: "/",
    uid: 1000,
    gid: 1000,
    network: networkForSlot(layout, 1),
    limits: { cpuMillicores: 250, memoryBytes: 64 * MB, pidsLimit: 20, ephemeralStorageBytes: 16 * MB },
    cgroupsPath: `/${prefix}/${name}`,
  };
  made.push(spec);
  return spec;
}

const cmdline = async (pid: number): Promise<string> => (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();

before(async () => {
  if (!canRun) return;
  tmp = await mkdtemp(`${tmpdir()}/or-ahead-`);
  layout = { prefix, addressBlock: 203 + Math.floor(Math.random() * 48), instancesDir: `${tmp}/instances`, egress: false };
  await mkdir(`${tmp}/rootfs/bin`, { recursive: true });
  await copyFile("/bin/busybox", `${tmp}/rootfs/bin/busybox`);
  await run("chmod", ["755", `${tmp}/rootfs/bin/busybox`]);
  await symlink("busybox", `${tmp}/rootfs/bin/sh`);
  await createNetwork(networkForSlot(layout, 1));
});

after(async () => {
  if (!canRun) return;
  // Each step even when one before failed: nothing this test made may stay on the host.
  const report = (what: string) => (err: unknown) => console.error(`cleanup: ${what} failed:`, err);
  for (const s of made) await destroyContainer(s).catch(report(`removing ${s.containerId}`));
  await destroyNetwork(networkForSlot(layout, 1)).catch(report("removing the network"));
  await cleanupLeftovers(layout, new Set()).catch(report("removing leftovers"));
  await rm(tmp, { recursive: true, force: true }).catch(report(`removing ${tmp}`));
});

test("a container made ahead waits in runc init with no environment on disk; startContainer runs its app and runc says running", { skip }, async () => {
  const spec = specFor("ahead", ["/bin/busybox", "sleep", "1000"]);
  await createContainer(spec, {}, "create");
  assert.equal((await runc.state(spec.containerId))?.status, "created");
  const state = await containerState(spec);
  assert.equal(state.status, "running");
  const pid = state.status === "running" ? state.pid : 0;
  assert.equal(await cmdline(pid), "runc init", "nothing of the app runs before the start");
  assert.doesNotMatch(await readFile(`${spec.dir}/config.json`, "utf8"), /kept-off-disk/);

  await startContainer(spec);
  assert.equal((await runc.state(spec.containerId))?.status, "running");
  assert.equal(existsSync(`/run/runc/${spec.containerId}/exec.fifo`), false, "the start removed runc's fifo, as runc start does");
  // PID 1 is now the exit recorder, and its child the app.
  for (let i = 0; i < 200 && !(await cmdline(pid)).includes("busybox"); i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(await cmdline(pid), /busybox sh -c/);
  await destroyContainer(spec);
});

test("starting a container made ahead whose init died fails with an error that says so", { skip }, async () => {
  const spec = specFor("dead-init", ["/bin/busybox", "sleep", "1000"]);
  await createContainer(spec, {}, "create");
  const state = await containerState(spec);
  assert.equal(state.status, "running");
  process.kill(state.status === "running" ? state.pid : 0, "SIGKILL");
  await assert.rejects(startContainer(spec), (err: Error) => err instanceof AppRunnerError && err.code === "InstanceFailed");
  await destroyContainer(spec);
});

test("a container prepared ahead holds no process and no environment on disk; launchContainer runs its app with it and strips it again", { skip }, async () => {
  const spec = specFor("prepared", ["/bin/busybox", "sleep", "1000"]);
  await prepareBundle(spec);
  assert.equal(runc.exists(spec.containerId), false, "no runc state: nothing waits");
  assert.equal((await containerState(spec)).status, "missing");
  assert.equal(existsSync(`/sys/fs/cgroup/memory/${prefix}/prepared`), false, "no cgroup: nothing is charged");
  const prepared = JSON.parse(await readFile(`${spec.dir}/config.json`, "utf8")) as { process: { env: string[] } };
  assert.deepEqual(prepared.process.env, ["PATH=/bin"], "the bundle waits without the environment");
  assert.ok(existsSync(`${spec.dir}/rootfs/bin/busybox`), "the overlay over the image is mounted");

  await launchContainer(spec, {}, "run");
  const state = await containerState(spec);
  assert.equal(state.status, "running");
  const pid = state.status === "running" ? state.pid : 0;
  // runc read the environment: PID 1 (the exit recorder, then the app) has it.
  assert.match(await readFile(`/proc/${pid}/environ`, "utf8"), /AHEAD_SECRET=kept-off-disk/);
  assert.doesNotMatch(await readFile(`${spec.dir}/config.json`, "utf8"), /kept-off-disk/, "stripped again after the start");
  await destroyContainer(spec);
  assert.equal(existsSync(spec.dir), false);
});

test("starting a container made ahead waits for an init that has not opened its fifo yet (runc create may return first)", { skip }, async () => {
  // runc's state dir as `runc create` leaves it, with a live process as the init: its open of
  // the fifo (the byte written) comes 300 ms after the start began.
  const id = `${prefix}-late-init`;
  const stateDir = `/run/runc/${id}`;
  await mkdir(stateDir, { recursive: true });
  await run("mkfifo", [`${stateDir}/exec.fifo`]);
  const init = spawn("/bin/busybox", ["sh", "-c", `sleep 0.3; printf 0 > ${stateDir}/exec.fifo; sleep 5`], { stdio: "ignore" });
  try {
    await writeFile(`${stateDir}/state.json`, JSON.stringify({ init_process_pid: init.pid }));
    await runc.startCreated(id);
    assert.equal(existsSync(`${stateDir}/exec.fifo`), false, "the fifo is removed once the byte was read");
  } finally {
    init.kill("SIGKILL");
    await rm(stateDir, { recursive: true, force: true });
  }
});
