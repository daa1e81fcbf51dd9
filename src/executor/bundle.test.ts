import assert from "node:assert/strict";
import { test } from "node:test";
import { EXIT_RECORDER_SCRIPT, hostsFile, makeBundleSpec } from "./bundle.js";
import type { ContainerSpec } from "./types.js";

const spec: ContainerSpec = {
  containerId: "or3f2a-0123456789abcdef",
  dir: "/data/runtime/instances/0123",
  imageRootfs: "/data/images/sha256-x/rootfs",
  args: ["node", "server.js"],
  env: ["PATH=/usr/bin:/bin", "PORT=8080"],
  cwd: "/app",
  uid: 1000,
  gid: 1001,
  network: {
    slot: 1,
    netns: "or3f2a-n1",
    hostInterface: "or3f2ah1",
    hostAddress: "127.202.0.5",
    instanceAddress: "127.202.0.6",
    egressAddress: "100.114.128.1",
  },
  limits: { cpuMillicores: 250, memoryBytes: 512 * 1024 * 1024, pidsLimit: 100 },
  cgroupsPath: "/or3f2a/0123456789abcdef",
};

interface Mount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

interface Bundle {
  ociVersion: string;
  hostname: string;
  root: { path: string; readonly: boolean };
  process: {
    terminal: boolean;
    args: string[];
    env: string[];
    cwd: string;
    user: { uid: number; gid: number };
    capabilities: Record<string, string[]>;
    rlimits: { type: string; hard: number; soft: number }[];
  };
  mounts: Mount[];
  linux: {
    cgroupsPath: string;
    namespaces: { type: string; path?: string }[];
    resources: Record<string, unknown>;
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

const bundle = makeBundleSpec(spec) as unknown as Bundle;

test("makeBundleSpec: table of top-level fields", () => {
  const rows: [string, unknown, unknown][] = [
    ["ociVersion", bundle.ociVersion, "1.0.2"],
    ["terminal", bundle.process.terminal, false],
    ["user", bundle.process.user, { uid: 1000, gid: 1001 }],
    ["env", bundle.process.env, spec.env],
    ["cwd", bundle.process.cwd, "/app"],
    ["root", bundle.root, { path: "/data/runtime/instances/0123/rootfs", readonly: false }],
    ["hostname", bundle.hostname, "0123456789ab"],
    ["rlimits", bundle.process.rlimits, [{ type: "RLIMIT_NOFILE", hard: 65536, soft: 65536 }]],
    ["cgroupsPath", bundle.linux.cgroupsPath, "/or3f2a/0123456789abcdef"],
    [
      "capabilities are runc's default set, nothing more",
      Object.values(bundle.process.capabilities),
      Array(4).fill(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]),
    ],
    [
      "resources",
      bundle.linux.resources,
      {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: 536870912, swap: 536870912 },
        cpu: { quota: 25000, period: 100000 },
        pids: { limit: 100 },
      },
    ],
    [
      "namespaces",
      bundle.linux.namespaces,
      [
        { type: "pid" },
        { type: "network", path: "/var/run/netns/or3f2a-n1" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
    ],
  ];
  for (const [name, actual, expected] of rows) assert.deepEqual(actual, expected, name);
  assert.ok(bundle.linux.maskedPaths.includes("/proc/kcore"));
  assert.ok(bundle.linux.readonlyPaths.includes("/proc/sys"));
});

test("makeBundleSpec: the app runs under the exit recorder with its argv intact", () => {
  assert.deepEqual(bundle.process.args, ["/.openrunner/busybox", "sh", "-c", EXIT_RECORDER_SCRIPT, "--", "node", "server.js"]);
  assert.match(EXIT_RECORDER_SCRIPT, /trap 'term=1; kill -TERM \$child/);
  // A TERM before the child exists is sent on to it; the host learns when the trap is set.
  assert.match(EXIT_RECORDER_SCRIPT, /child=\$!\n\[ -n "\$term" \] && kill -TERM "\$child"/);
  assert.match(EXIT_RECORDER_SCRIPT, /^: > \/\.openrunner\/state\/trap-set$/m);
  assert.match(EXIT_RECORDER_SCRIPT, /> \/\.openrunner\/state\/exit/);
});

test("makeBundleSpec: mounts", () => {
  const byDest = new Map(bundle.mounts.map((m) => [m.destination, m]));
  const rows: [string, string, string, boolean][] = [
    // destination, type, source, read-only
    ["/proc", "proc", "proc", false],
    ["/dev", "tmpfs", "tmpfs", false],
    ["/dev/pts", "devpts", "devpts", false],
    ["/dev/shm", "tmpfs", "shm", false],
    ["/dev/mqueue", "mqueue", "mqueue", false],
    ["/sys", "sysfs", "sysfs", true],
    ["/sys/fs/cgroup", "cgroup", "cgroup", true],
    // From the instance's own disk, so its mountinfo shows no host path.
    ["/etc/resolv.conf", "bind", "/data/runtime/instances/0123/disk/resolv.conf", true],
    ["/etc/hosts", "bind", "/data/runtime/instances/0123/disk/hosts", true],
    ["/.openrunner/busybox", "bind", "/bin/busybox", true],
    ["/.openrunner/state", "bind", "/data/runtime/instances/0123/disk/state", false],
  ];
  assert.equal(bundle.mounts.length, rows.length);
  for (const [dest, type, source, readOnly] of rows) {
    const m = byDest.get(dest);
    assert.ok(m, dest);
    assert.equal(m.type, type, dest);
    assert.equal(m.source, source, dest);
    assert.equal(m.options?.includes("ro") ?? false, readOnly, dest);
  }
});

test("makeBundleSpec: options override busybox and hostname; pure (same input, same output)", () => {
  const b = makeBundleSpec(spec, { busybox: "/opt/bb", hostname: "web" }) as unknown as Bundle;
  assert.equal(b.hostname, "web");
  assert.equal(b.mounts.find((m) => m.destination === "/.openrunner/busybox")?.source, "/opt/bb");
  assert.deepEqual(makeBundleSpec(spec), makeBundleSpec(spec));
});

test("hostsFile: localhost plus the instance's own name", () => {
  assert.equal(
    hostsFile("web", "127.202.0.6"),
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.202.0.6\tweb\n",
  );
});
