/**
 * Dockerfile builds on this host, through the real sandbox (user namespace, build network behind
 * the layout's firewall, cgroup) and the real image store. Needs root, buildah, runc and
 * busybox-static; the images are FROM scratch with busybox, so no registry is needed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { cleanupLeftovers } from "../../executor/container.js";
import { ensureFirewall, removeFirewall } from "../../executor/firewall.js";
import type { HostLayout } from "../../executor/types.js";
import { LocalImageStore } from "../../images/image-store.js";
import { emptyRegistryConfig } from "../../images/registry-config.js";
import { buildDockerfile, layerCacheDir, type DockerfileBuildInput } from "./dockerfile-build.js";

function missing(): string | false {
  if (process.getuid?.() !== 0) return "needs root";
  for (const tool of ["buildah", "runc", "unshare", "nsenter"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return existsSync("/bin/busybox") ? false : "busybox-static is not installed";
}
const skip = missing();

const layout: HostLayout = {
  prefix: `ord${Math.random().toString(36).slice(2, 5).padEnd(3, "0")}`,
  addressBlock: 203 + Math.floor(Math.random() * 48),
  instancesDir: join(tmpdir(), `openrunner-dockerfile-${process.pid}`, "instances"),
  egress: false,
};

/** Processes whose command line holds `marker` (a number no other process uses). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(marker)) found.push(Number(name));
    } catch {
      // Exited while listing.
    }
  }
  return found;
}

describe("Dockerfile builds in the sandbox", { skip, timeout: 5 * 60_000 }, () => {
  let dir = "";
  let images: LocalImageStore;

  before(async () => {
    await ensureFirewall(layout);
    dir = await mkdtemp(join(tmpdir(), "openrunner-dockerfile-"));
    images = new LocalImageStore({ dir: join(dir, "images"), config: emptyRegistryConfig() });
  });
  after(async () => {
    await cleanupLeftovers(layout, new Set());
    await removeFirewall(layout);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function input(name: string, dockerfile: string, fields: Partial<DockerfileBuildInput> = {}): Promise<DockerfileBuildInput & { lines: string[] }> {
    const sourceDir = join(dir, name, "src");
    await rm(join(dir, name), { recursive: true, force: true });
    execFileSync("mkdir", ["-p", sourceDir]);
    copyFileSync("/bin/busybox", join(sourceDir, "busybox"));
    await writeFile(join(sourceDir, "Dockerfile"), dockerfile);
    const lines: string[] = [];
    return {
      serviceId: `svc-${name}`,
      serviceName: name,
      commit: "0123456789abcdef",
      sourceDir,
      workDir: join(dir, name, "work"),
      plan: { source: "Dockerfile", dockerfile: "Dockerfile", buildArgs: {} },
      limits: { cpuMillicores: 1000, memoryBytes: 512 * 2 ** 20 },
      log: (line) => lines.push(line),
      signal: new AbortController().signal,
      lines,
      ...fields,
    };
  }
  const BUSYBOX = ["FROM scratch", "COPY busybox /bin/sh", "COPY busybox /bin/busybox"];

  it("builds FROM scratch: root inside, nobody on the host; the image keeps its CMD and EXPOSEd port", async () => {
    const build = await input("ok", [...BUSYBOX, "RUN /bin/busybox id -u > /uid && /bin/busybox cat /proc/self/uid_map /proc/self/cgroup", "EXPOSE 9000", 'CMD ["/bin/busybox", "httpd", "-f"]', ""].join("\n"));
    const pulled = await buildDockerfile({ dataDir: dir, images, layout }, build);
    assert.deepEqual(pulled.image.config.cmd, ["/bin/busybox", "httpd", "-f"]);
    assert.deepEqual(pulled.image.config.exposedPorts, [9000]);
    assert.equal(readFileSync(join(pulled.image.rootfs, "uid"), "utf8").trim(), "0");
    assert.match(build.lines.join("\n"), /\[Build\]\s+0\s+2000000000\s+65536/);
    // RUN steps stay in the build's cgroup, where the service's limits are.
    for (const controller of ["memory", "cpu", "pids"]) {
      assert.match(build.lines.join("\n"), new RegExp(`\\[Build\\] \\d+:[a-z,]*\\b${controller}\\b[a-z,]*:/openrunner-builds/orbuild-df-[0-9a-f]+$`, "m"));
    }
    assert.ok(existsSync(join(layerCacheDir(dir, "svc-ok"), "storage")));
  });

  it("a RUN step over the service's memory limit fails the build and says so", async () => {
    // busybox tail keeps a line-less stream whole in memory.
    const build = await input("oom", [...BUSYBOX, "RUN /bin/busybox head -c 900000000 /dev/zero | /bin/busybox tail -n 1 > /dev/null", 'CMD ["/bin/sh"]', ""].join("\n"), {
      limits: { cpuMillicores: 1000, memoryBytes: 256 * 2 ** 20 },
    });
    await assert.rejects(buildDockerfile({ dataDir: dir, images, layout }, build), (err: unknown) => {
      assert.ok(err instanceof AppRunnerError);
      assert.equal(err.code, "BuildFailed");
      assert.match(err.message, /Step RUN \/bin\/busybox head .* failed with exit code 137 \(the build ran out of memory: limit 256 MB\)/);
      return true;
    });
  });

  it("ADD of a URL is refused: buildah would fetch it from the host's network namespace", async () => {
    const build = await input("add-url", [...BUSYBOX, "ADD http://127.0.0.1:1/secret /secret", 'CMD ["/bin/sh"]', ""].join("\n"));
    await assert.rejects(buildDockerfile({ dataDir: dir, images, layout }, build), /Step ADD http:\/\/127\.0\.0\.1:1\/secret \/secret is not supported/);
    assert.match(build.lines.join("\n"), /\[Build\] Step ADD http:\/\/127\.0\.0\.1:1\/secret \/secret is not supported: .*RUN step/);
  });

  it("an image on this machine or a private network is refused before buildah runs: its pulls leave from the host's network", async () => {
    for (const [name, from] of [
      ["from-control-plane", "FROM 127.0.0.1:1/openrunner/x:1"],
      ["copy-from-private", "FROM scratch\nCOPY --from=192.168.1.1:5000/tools:1 /t /t"],
    ] as const) {
      const build = await input(name, [from, 'CMD ["/bin/sh"]', ""].join("\n"));
      await assert.rejects(buildDockerfile({ dataDir: dir, images, layout }, build), /an address of this machine or of a private network/);
      assert.doesNotMatch(build.lines.join("\n"), /STEP/, "buildah never started");
    }
  });

  it("an abort kills every process of the build by PID", async () => {
    const marker = String(31_000_000 + Math.floor(Math.random() * 1_000_000));
    const controller = new AbortController();
    const build = await input("abort", [...BUSYBOX, `RUN /bin/busybox sleep ${marker}`, 'CMD ["/bin/sh"]', ""].join("\n"), { signal: controller.signal });
    const running = buildDockerfile({ dataDir: dir, images, layout }, build);
    const outcome = running.then(
      () => undefined,
      (err: unknown) => err,
    );
    for (let i = 0; i < 600 && processesWith(marker).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(processesWith(marker).length > 0, `the RUN step never started:\n${build.lines.join("\n")}`);
    controller.abort(new AppRunnerError("BuildFailed", "the deployment's build bound ran out"));
    const err = await outcome;
    assert.ok(err instanceof AppRunnerError, String(err));
    assert.match(err.message, /build bound ran out/);
    assert.deepEqual(processesWith(marker), []);
  });
});
