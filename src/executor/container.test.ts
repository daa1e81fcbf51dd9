/**
 * Integration test of the host primitives with real runc containers, veths and nftables.
 * Needs root, runc, iproute2, nftables and a static /bin/busybox; skipped otherwise. Every name
 * it creates carries a random prefix, and after() removes all of it even when a test failed.
 * All traffic stays on loopback addresses inside namespaces this test creates.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import {
  cleanupLeftovers,
  containerState,
  containerUsage,
  createContainer,
  destroyContainer,
  stopContainer,
} from "./container.js";
import { ensureFirewall, firewallCounters, removeFirewall } from "./firewall.js";
import { createNetwork, destroyNetwork, listNetworks, networkForSlot } from "./network.js";
import * as runc from "./runc.js";
import type { ContainerSpec, ContainerState, HostLayout, InstanceNetwork, ResourceLimits } from "./types.js";

const run = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync("/usr/sbin/runc") && existsSync("/bin/busybox");
const skip = canRun ? false : "needs root, runc and /bin/busybox";

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
const prefix = "ort" + Array.from({ length: 3 }, () => alnum[Math.floor(Math.random() * alnum.length)]).join("");
const addressBlock = 203 + Math.floor(Math.random() * 48);
const MB = 1024 * 1024;
const limits: ResourceLimits = { cpuMillicores: 1000, memoryBytes: 512 * MB, pidsLimit: 100 };

let tmp = "";
let layout: HostLayout;
let rootfs = "";
let server: Server | undefined;
let serverPort = 0;
let serverConnections = 0;
const made: ContainerSpec[] = [];

function specFor(name: string, net: InstanceNetwork, args: string[], lim: ResourceLimits = limits): ContainerSpec {
  const spec: ContainerSpec = {
    containerId: `${prefix}-${name}`,
    dir: `${layout.instancesDir}/${name}`,
    imageRootfs: rootfs,
    args,
    env: ["PATH=/bin", "HOME=/"],
    cwd: "/",
    uid: 1000,
    gid: 1000,
    network: net,
    limits: lim,
    cgroupsPath: `/${prefix}/${name}`,
  };
  made.push(spec);
  return spec;
}

async function waitStopped(spec: ContainerSpec, ms = 10_000): Promise<ContainerState> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await containerState(spec);
    if (s.status !== "running" || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Exit status of `nc` run inside the container towards host:port (0 = connected). */
async function connectFrom(spec: ContainerSpec, host: string, port: number): Promise<number> {
  try {
    await run("runc", ["exec", spec.containerId, "/.openrunner/busybox", "sh", "-c", `echo hi | /.openrunner/busybox nc -w 1 ${host} ${port}`]);
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`;

before(async () => {
  if (!canRun) return;
  tmp = await mkdtemp(`${tmpdir()}/or-local-`);
  layout = { prefix, addressBlock, instancesDir: `${tmp}/instances`, egress: false };
  rootfs = `${tmp}/rootfs`;
  await mkdir(`${rootfs}/bin`, { recursive: true });
  await mkdir(`${rootfs}/www`);
  await mkdir(`${rootfs}/tmp`);
  await run("chmod", ["1777", `${rootfs}/tmp`]);
  await copyFile("/bin/busybox", `${rootfs}/bin/busybox`);
  await run("chmod", ["755", `${rootfs}/bin/busybox`]);
  await symlink("busybox", `${rootfs}/bin/sh`);
  await writeFile(`${rootfs}/www/index.html`, "hello from openrunner\n");
  server = createServer((sock) => {
    serverConnections++;
    sock.end("host service\n");
  });
  await new Promise<void>((r) => server?.listen(0, "0.0.0.0", () => r()));
  const addr = server.address();
  serverPort = typeof addr === "object" && addr ? addr.port : 0;
});

after(async () => {
  if (!canRun) return;
  server?.close();
  // Best effort on every step: one failure must not leave the rest behind.
  const steps: (() => Promise<unknown>)[] = [
    ...made.map((s) => () => destroyContainer(s)),
    () => removeFirewall(layout),
    () => cleanupLeftovers(layout, new Set()),
    () => rm(tmp, { recursive: true, force: true }),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      console.error("cleanup step failed:", err);
    }
  }
});

test("network create/destroy is idempotent and listed", { skip }, async (t) => {
  const net = networkForSlot(layout, 9);
  let t0 = performance.now();
  await createNetwork(net);
  t.diagnostic(`createNetwork ${ms(t0)}`);
  await createNetwork(net); // leftovers with the same names are replaced
  assert.deepEqual(await listNetworks(layout), [9]);
  const { stdout } = await run("ip", ["-n", net.netns, "-4", "addr", "show", "eth0"]);
  assert.match(stdout, new RegExp(`inet ${net.instanceAddress.replaceAll(".", "\\.")}/30`));
  t0 = performance.now();
  await destroyNetwork(net);
  t.diagnostic(`destroyNetwork ${ms(t0)}`);
  await destroyNetwork(net);
  assert.deepEqual(await listNetworks(layout), []);
  // Two teardowns at once (a runtime stopping while the supervisor replaces an instance): both see
  // the network, one removes it, and the other must not fail on "Cannot remove namespace file".
  await createNetwork(net);
  await Promise.all([destroyNetwork(net), destroyNetwork(net), destroyNetwork(net)]);
  assert.deepEqual(await listNetworks(layout), []);
});

test("containers: HTTP from the host, output log, firewall, exit codes, SIGTERM, OOM, usage, cleanup", { skip }, async (t) => {
  const nets = [1, 2, 3, 4, 5].map((slot) => networkForSlot(layout, slot));
  const [netA, netB, netC, netD, netE] = nets as [InstanceNetwork, InstanceNetwork, InstanceNetwork, InstanceNetwork, InstanceNetwork];
  await Promise.all(nets.map((n) => createNetwork(n)));

  // A: a web server that also writes to stdout and stderr.
  const a = specFor("web-a", netA, ["/bin/sh", "-c", "echo out-line; echo err-line >&2; exec busybox httpd -f -p 8080 -h /www"]);
  let t0 = performance.now();
  await createContainer(a);
  const created = performance.now() - t0;
  let status = 0;
  while (status !== 200 && performance.now() - t0 < 10_000) {
    status = await fetch(`http://${netA.instanceAddress}:8080/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 200) await new Promise((r) => setTimeout(r, 5));
  }
  t.diagnostic(`createContainer ${created.toFixed(1)} ms; create -> first HTTP 200 ${ms(t0)}`);
  assert.equal(status, 200);
  assert.equal(await (await fetch(`http://${netA.instanceAddress}:8080/`)).text(), "hello from openrunner\n");
  await createContainer(a); // idempotent while running
  const log = await readFile(`${a.dir}/output.log`, "utf8");
  assert.match(log, /^out-line$/m);
  assert.match(log, /^err-line$/m);

  // Without the firewall an instance reaches host services via its host address; with it, not.
  assert.equal(await connectFrom(a, netA.hostAddress, serverPort), 0, "control: reachable without firewall");
  assert.equal(serverConnections, 1);
  await ensureFirewall(layout);
  await ensureFirewall(layout); // idempotent replace
  assert.notEqual(await connectFrom(a, netA.hostAddress, serverPort), 0);
  assert.notEqual(await connectFrom(a, netB.hostAddress, serverPort), 0);
  assert.equal(serverConnections, 1, "host service saw no connection from the instance");

  // B: a second instance on a port A does not serve. The host reaches it; A does not. (Inside A,
  // all of 127/8 except its own /30 is A's loopback, so B's address never even leaves A.)
  const b = specFor("web-b", netB, ["/bin/busybox", "httpd", "-f", "-p", "8081", "-h", "/www"]);
  await createContainer(b);
  let statusB = 0;
  for (let i = 0; i < 200 && statusB !== 200; i++) {
    statusB = await fetch(`http://${netB.instanceAddress}:8081/`).then(
      (r) => r.status,
      () => 0,
    );
    if (statusB !== 200) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(statusB, 200);
  assert.notEqual(await connectFrom(a, netB.instanceAddress, 8081), 0, "instance to instance is blocked");
  assert.equal(await connectFrom(a, "127.0.0.1", 8080), 0, "an instance reaches itself");

  // C: exit code recording.
  const c = specFor("exit3", netC, ["/bin/sh", "-c", "echo bye; exit 3"]);
  await createContainer(c);
  assert.deepEqual(await waitStopped(c), { status: "stopped", exitCode: 3, oomKilled: false });
  assert.match(await readFile(`${c.dir}/output.log`, "utf8"), /^bye$/m);

  // D: SIGTERM reaches the app through the recorder, quickly.
  const d = specFor("sleeper", netD, ["/bin/busybox", "sleep", "1000"]);
  await createContainer(d);
  assert.equal((await containerState(d)).status, "running");
  t0 = performance.now();
  await stopContainer(d, 5_000);
  const stopMs = performance.now() - t0;
  t.diagnostic(`stopContainer (SIGTERM) ${stopMs.toFixed(1)} ms`);
  assert.ok(stopMs < 2_000, `stop took ${stopMs} ms`);
  assert.deepEqual(await containerState(d), { status: "stopped", exitCode: 143, oomKilled: false });

  // E: over its 64 MB limit -> OOM killed.
  const e = specFor("oom", netE, ["/bin/sh", "-c", 'x=$(busybox head -c 200000000 /dev/zero | busybox tr "\\0" a); echo ${#x}'], {
    ...limits,
    memoryBytes: 64 * MB,
  });
  await createContainer(e);
  assert.deepEqual(await waitStopped(e, 20_000), { status: "stopped", exitCode: 137, oomKilled: true });

  // Usage of the running web server.
  const usage = await containerUsage(a);
  t.diagnostic(`usage ${JSON.stringify(usage)}`);
  assert.ok(usage.cpuNanos > 0);
  assert.ok(usage.memoryBytes > 0);
  assert.equal(usage.memoryLimitBytes, 512 * MB);

  // Teardown.
  t0 = performance.now();
  await destroyContainer(a);
  t.diagnostic(`destroyContainer (running) ${ms(t0)}`);
  await destroyContainer(a); // idempotent
  assert.deepEqual(await containerState(a), { status: "missing" });
  for (const s of [b, c, d, e]) await destroyContainer(s);
  t0 = performance.now();
  await Promise.all(nets.map((n) => destroyNetwork(n)));
  t.diagnostic(`destroyNetwork x5 (parallel) ${ms(t0)}`);
  await removeFirewall(layout);
  await removeFirewall(layout); // idempotent
  await cleanupLeftovers(layout, new Set());
  await assertNothingLeft();
});

test("cleanupLeftovers removes what a crash left and keeps what it is told to", { skip }, async () => {
  const [n1, n2] = [networkForSlot(layout, 7), networkForSlot(layout, 8)];
  await Promise.all([createNetwork(n1), createNetwork(n2)]);
  const kept = specFor("kept", n1, ["/bin/busybox", "sleep", "1000"]);
  const lost = specFor("lost", n2, ["/bin/busybox", "sleep", "1000"]);
  await Promise.all([createContainer(kept), createContainer(lost)]);
  // A marker an older version left half-written by a kill -9 (it wrote in place) made every cleanup throw.
  const halfWritten = `${layout.instancesDir}/half-written`;
  await mkdir(halfWritten, { recursive: true });
  await writeFile(`${halfWritten}/container.json`, "");
  await cleanupLeftovers(layout, new Set([kept.containerId]));
  assert.equal(existsSync(halfWritten), false);
  assert.deepEqual(await runc.list(`${prefix}-`), [kept.containerId]);
  assert.deepEqual(await listNetworks(layout), [7]);
  assert.equal((await containerState(kept)).status, "running");
  assert.equal(existsSync(lost.dir), false);
  await cleanupLeftovers(layout, new Set());
  await removeFirewall(layout); // in case the previous test failed before removing it
  await assertNothingLeft();
});

test("a container stopped the moment it starts still gets SIGTERM, not the SIGKILL after its grace", { skip }, async () => {
  // runc's TERM can reach the exit recorder (PID 1) before it has set its trap: the kernel drops
  // it, and the app was killed after the grace period (exit 137). The window is the shell's
  // start, so this loop hits it only on a loaded machine (as the suite's CI run did, where the
  // SIGTERM assertion of the test above waited out its 5 s grace).
  const net = networkForSlot(layout, 9);
  await createNetwork(net);
  try {
    for (let i = 0; i < 8; i++) {
      const quick = specFor(`quick-${i}`, net, ["/bin/busybox", "sleep", "1000"]);
      await createContainer(quick);
      await stopContainer(quick, 10_000);
      assert.deepEqual(await containerState(quick), { status: "stopped", exitCode: 143, oomKilled: false }, `run ${i}`);
      await destroyContainer(quick);
    }
  } finally {
    await destroyNetwork(net);
  }
});

test("the host reads the app-writable exit file without following the app's links", { skip }, async () => {
  // A host file the app must not make the host read: its content would become the exit code.
  const hostFile = `${tmp}/host-only`;
  await writeFile(hostFile, "42\n");
  const net = networkForSlot(layout, 10);
  await createNetwork(net);
  const app = specFor("tamper", net, ["/bin/sh", "-c", `busybox ln -s ${hostFile} /.openrunner/state/exit; exit 3`]);
  await createContainer(app);
  // The recorder's write goes through the link inside the container (nowhere); the host refuses the link.
  assert.deepEqual(await waitStopped(app), { status: "stopped", exitCode: null, oomKilled: false });
  await destroyContainer(app);
  await destroyNetwork(net);
});

/** Runs `script` with the container's busybox shell; exit code, output, and how long it took. */
async function execIn(spec: ContainerSpec, script: string, timeoutMs = 20_000): Promise<{ code: number; out: string; ms: number }> {
  const t0 = performance.now();
  try {
    const { stdout, stderr } = await run("runc", ["exec", spec.containerId, "/.openrunner/busybox", "sh", "-c", script], { timeout: timeoutMs });
    return { code: 0, out: stdout + stderr, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}`, ms: performance.now() - t0 };
  }
}

/** The host's first non-loopback IPv4 address (one of "the host's own addresses"). */
function hostLanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("127.")) return a.address;
  }
  return undefined;
}

test("egress: an instance resolves and reaches the npm registry; the host, other instances, link-local and private ranges are refused locally", { skip }, async (t) => {
  const egressLayout: HostLayout = { ...layout, egress: true };
  await ensureFirewall(egressLayout);
  try {
    const [netA, netB] = [networkForSlot(layout, 11), networkForSlot(layout, 12)];
    await Promise.all([createNetwork(netA), createNetwork(netB)]);
    const a = specFor("egress-a", netA, ["/bin/busybox", "sleep", "1000"]);
    const b = specFor("egress-b", netB, ["/bin/busybox", "httpd", "-f", "-p", "8081", "-h", "/www"]);
    await Promise.all([createContainer(a), createContainer(b)]);

    const resolv = await execIn(a, "busybox cat /etc/resolv.conf");
    assert.match(resolv.out, /^nameserver 100\.64\.0\.1$/m);
    const lookup = await execIn(a, "busybox nslookup registry.npmjs.org");
    t.diagnostic(`nslookup: ${lookup.out.replace(/\s+/g, " ")}`);
    // busybox's TLS cannot talk to the registry: plain HTTP shows the round trip (the e2e test fetches over HTTPS).
    // The path out of these machines closes a plain-HTTP connection unanswered now and then: from
    // the host itself, 3 to 6 tries in 12 got no answer (2026-12-06), and three tries in a row
    // failed a CI run. Up to ten bounded tries; an unanswered one returns at once.
    let http = { code: -1, out: "", ms: 0 };
    for (let attempt = 0; attempt < 10 && !/^HTTP\/1\.[01] \d{3}/.test(http.out); attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
      http = await execIn(a, "printf 'HEAD / HTTP/1.0\\r\\nHost: registry.npmjs.org\\r\\n\\r\\n' | busybox nc -w 15 registry.npmjs.org 80", 30_000);
    }
    const tls = await execIn(a, "busybox nc -w 15 registry.npmjs.org 443 </dev/null", 30_000);
    if (lookup.code !== 0 && !(await hostReachesRegistry())) {
      t.skip("this host itself cannot reach registry.npmjs.org");
      return;
    }
    assert.equal(lookup.code, 0, lookup.out);
    assert.match(lookup.out, /Name:\s+registry\.npmjs\.org/);
    assert.match(http.out, /^HTTP\/1\.[01] \d{3}/, `the registry answered over HTTP (exit ${http.code}): ${http.out}`);
    assert.equal(tls.code, 0, `a TCP connection to the registry's HTTPS port: ${tls.out}`);

    const before = await firewallCounters(egressLayout);
    const seen = serverConnections;
    const lan = hostLanAddress();
    const refused: [string, string, number][] = [
      ["the host through the veth", netA.hostAddress, serverPort],
      ...(lan ? ([["the host's LAN address", lan, serverPort]] as [string, string, number][]) : []),
      ["the host's loopback (the instance's own)", "127.0.0.1", serverPort],
      ["another instance's address", netB.instanceAddress, 8081],
      ["another instance's egress address", netB.egressAddress, 8081],
      ["cloud metadata", "169.254.169.254", 80],
      ["a private address", "10.0.0.1", 80],
      ["shared address space", "100.100.100.100", 53],
    ];
    for (const [what, address, port] of refused) {
      const r = await execIn(a, `echo hi | busybox nc -w 3 ${address} ${port}`);
      t.diagnostic(`${what} ${address}:${port}: exit ${r.code} in ${r.ms.toFixed(0)} ms ${r.out.trim()}`);
      assert.notEqual(r.code, 0, `${what} (${address}) must be refused`);
      // Refused (a reset from the firewall or the instance's own loopback), not left to time out.
      assert.match(r.out, /Connection refused/, `${what}: ${r.out}`);
    }
    const after = await firewallCounters(egressLayout);
    t.diagnostic(`counters before ${JSON.stringify(before)} after ${JSON.stringify(after)}`);
    assert.equal(serverConnections, seen, "the host service saw no connection from the instance");
    assert.ok(after.host >= before.host + (lan ? 2 : 1), "the host's addresses: refused by the input rules");
    assert.ok(after.peers > before.peers, "another instance: refused by the forward rules");
    assert.ok(after.blocked >= before.blocked + 3, "link-local, private and shared ranges: refused before leaving");
    // The host itself still reaches the instance (router, health checks).
    assert.equal((await fetch(`http://${netB.instanceAddress}:8081/`)).status, 200);
  } finally {
    await removeFirewall(egressLayout);
  }
});

test("ephemeral storage: writes past the instance's limit fail with ENOSPC; the host keeps only the limit", { skip }, async (t) => {
  const net = networkForSlot(layout, 13);
  await createNetwork(net);
  const limit = 16 * MB;
  const spec = specFor("filler", net, ["/bin/sh", "-c", "busybox dd if=/dev/zero of=/tmp/fill bs=1M count=64; echo dd-exit=$?; busybox df -k /; exit 7"], {
    ...limits,
    ephemeralStorageBytes: limit,
  });
  await createContainer(spec);
  // The exit status still reaches the host although the disk is full (inline data).
  assert.deepEqual(await waitStopped(spec, 20_000), { status: "stopped", exitCode: 7, oomKilled: false });
  const out = await readFile(`${spec.dir}/output.log`, "utf8");
  t.diagnostic(out.replace(/\n/g, " | "));
  assert.match(out, /No space left on device/);
  assert.match(out, /dd-exit=1/);
  const image = await stat(`${spec.dir}/disk.img`);
  assert.equal(image.size, limit);
  assert.ok(image.blocks * 512 <= limit, `the image holds ${image.blocks * 512} bytes on the host, at most the limit`);
  await destroyContainer(spec);
  assert.equal(existsSync(spec.dir), false);
  await destroyNetwork(net);
});

test("ephemeral storage: formatted images are made ahead of need, and the next instance takes one", { skip }, async () => {
  const [n1, n2] = [networkForSlot(layout, 15), networkForSlot(layout, 16)];
  await Promise.all([createNetwork(n1), createNetwork(n2)]);
  const bytes = 24 * MB;
  const first = specFor("spare-1", n1, ["/bin/busybox", "sleep", "1000"], { ...limits, ephemeralStorageBytes: bytes });
  await createContainer(first);
  const spares = `${layout.instancesDir}/.disks`;
  const ready = async (): Promise<string[]> => (await readdir(spares).catch(() => [] as string[])).filter((f) => f.startsWith(`${bytes}-`) && f.endsWith(".img"));
  for (let i = 0; i < 300 && (await ready()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  const made = await ready();
  assert.equal(made.length, 2, "two spares of this size (named by it)");
  const inodes = await Promise.all(made.map(async (f) => (await stat(`${spares}/${f}`)).ino));
  const second = specFor("spare-2", n2, ["/bin/busybox", "sleep", "1000"], { ...limits, ephemeralStorageBytes: bytes });
  await createContainer(second);
  assert.ok(inodes.includes((await stat(`${second.dir}/disk.img`)).ino), "the second instance's disk is a spare, moved in");
  assert.equal((await containerState(second)).status, "running");
  for (const s of [first, second]) await destroyContainer(s);
  await Promise.all([destroyNetwork(n1), destroyNetwork(n2)]);
  await cleanupLeftovers(layout, new Set());
  assert.equal(existsSync(spares), false, "cleanup removes the spares");
});

test("mountinfo: an instance sees no host path of the data directory", { skip }, async () => {
  const net = networkForSlot(layout, 14);
  await createNetwork(net);
  const spec = specFor("mounts", net, ["/bin/busybox", "sleep", "1000"]);
  await createContainer(spec);
  const { code, out } = await execIn(spec, "busybox cat /proc/self/mountinfo");
  assert.equal(code, 0, out);
  assert.match(out, / \/ rw,[^ ]* - overlay overlay rw,lowerdir=lower,upperdir=disk\/upper,workdir=disk\/work/);
  assert.match(out, / \/state \/\.openrunner\/state /);
  for (const hostPath of [tmp, layout.instancesDir, rootfs]) assert.ok(!out.includes(hostPath), `${hostPath} shows in:\n${out}`);
  await destroyContainer(spec);
  await destroyNetwork(net);
});

/** Whether this machine (outside any namespace) reaches the registry: decides skipping, not passing. */
async function hostReachesRegistry(): Promise<boolean> {
  return fetch("https://registry.npmjs.org/", { signal: AbortSignal.timeout(10_000) }).then(
    () => true,
    () => false,
  );
}

async function assertNothingLeft(): Promise<void> {
  assert.deepEqual(await runc.list(`${prefix}-`), []);
  assert.doesNotMatch((await run("ip", ["netns", "list"])).stdout, new RegExp(prefix));
  assert.doesNotMatch((await run("ip", ["link"])).stdout, new RegExp(prefix));
  assert.doesNotMatch(await readFile("/proc/self/mountinfo", "utf8"), new RegExp(tmp));
  for (const h of await readdir("/sys/fs/cgroup")) assert.equal(existsSync(`/sys/fs/cgroup/${h}/${prefix}`), false, h);
  assert.doesNotMatch((await run("nft", ["list", "tables"])).stdout, new RegExp(prefix));
}
