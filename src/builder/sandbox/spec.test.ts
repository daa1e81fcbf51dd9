import assert from "node:assert/strict";
import { test } from "node:test";
import { makeBuildSpec } from "./spec.js";
import { BUILD_ID_BASE, intoBuild, outOfBuild } from "../../executor/userns.js";

const spec = makeBuildSpec({
  rootfs: "/run/openrunner-builds/orbuild-1/rootfs",
  hostsFile: "/run/openrunner-builds/orbuild-1/hosts",
  resolvFile: "/run/openrunner-builds/orbuild-1/resolv.conf",
  env: ["HOME=/root"],
  limits: { cpuMillicores: 1000, memoryBytes: 2 ** 30 },
  cgroupsPath: "/openrunner-builds/orbuild-1",
  caBundle: "/etc/ssl/certs/ca-certificates.crt",
  nofileLimit: 1024,
  args: ["/bin/sh"],
}) as {
  process: { user: { uid: number; gid: number }; capabilities: Record<string, string[]> };
  mounts: { destination: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string; path?: string }[]; uidMappings: unknown; gidMappings: unknown };
};

test("makeBuildSpec: root of its own user and network namespaces, nobody on the host", () => {
  assert.deepEqual(spec.process.user, { uid: 0, gid: 0 });
  const mapping = [{ containerID: 0, hostID: BUILD_ID_BASE, size: 65536 }];
  assert.deepEqual(spec.linux.uidMappings, mapping);
  assert.deepEqual(spec.linux.gidMappings, mapping);
  assert.deepEqual(spec.linux.namespaces, [{ type: "user" }, { type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }]);
  for (const caps of Object.values(spec.process.capabilities)) {
    assert.ok(!caps.includes("CAP_NET_ADMIN") && !caps.includes("CAP_NET_RAW") && !caps.includes("CAP_SYS_ADMIN"), "it cannot rewire or spoof its network");
  }
});

test("makeBuildSpec: hosts and resolv.conf are the build's own, never the host's", () => {
  const byDest = new Map(spec.mounts.map((m) => [m.destination, m]));
  assert.equal(byDest.get("/etc/hosts")?.source, "/run/openrunner-builds/orbuild-1/hosts");
  assert.equal(byDest.get("/etc/resolv.conf")?.source, "/run/openrunner-builds/orbuild-1/resolv.conf");
  assert.ok(byDest.get("/etc/resolv.conf")?.options?.includes("ro"));
  assert.ok(!spec.mounts.some((m) => m.source === "/etc/hosts" || m.source === "/etc/resolv.conf"));
});

test("id shifting: into the build's range and back; ids outside it are left alone", () => {
  const cases: [number, number | undefined, number | undefined][] = [
    // host id inside the build, id the build wrote back out
    [0, BUILD_ID_BASE, undefined],
    [42, BUILD_ID_BASE + 42, undefined],
    [65535, BUILD_ID_BASE + 65535, undefined],
    [65536, undefined, undefined],
    [BUILD_ID_BASE, undefined, 0],
    [BUILD_ID_BASE + 1000, undefined, 1000],
    [BUILD_ID_BASE + 65536, undefined, undefined],
  ];
  for (const [id, into, out] of cases) {
    assert.equal(intoBuild(id), into, `into ${id}`);
    assert.equal(outOfBuild(id), out, `out of ${id}`);
  }
});
