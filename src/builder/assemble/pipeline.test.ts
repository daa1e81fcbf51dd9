/**
 * The source-code build path on this host: runtime rootfs (mmdebstrap + npm registry) -> build in
 * a runc sandbox -> OCI image in the image store -> run its command. Needs root, runc,
 * mmdebstrap, umoci, the Debian mirror and the npm registry. The first run builds the runtimes
 * (minutes); they are cached in a fixed directory so later runs are warm.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { cleanupLeftovers } from "../../executor/container.js";
import { ensureFirewall, removeFirewall } from "../../executor/firewall.js";
import type { HostLayout } from "../../executor/types.js";
import { LocalImageStore } from "../../images/image-store.js";
import { RuntimeCatalog } from "../runtimes/catalog.js";
import { runTool } from "../runtimes/tool.js";
import { runBuild } from "../sandbox/run-build.js";
import type { BuildPlan, ManagedRuntime, RuntimeImage } from "../types.js";
import { assembleImage } from "./assemble.js";

const RUNTIMES_DIR = join(tmpdir(), "openrunner-test-runtimes");

function missing(): string | false {
  if (process.getuid?.() !== 0) return "needs root";
  for (const tool of ["runc", "mmdebstrap", "umoci"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return false;
}
const skip = missing();
// A cold runtime cache builds the runtimes first (minutes on a busy 2-core host): more than the suite's default timeout.
const timeout = 15 * 60_000;

const catalog = new RuntimeCatalog({ dir: RUNTIMES_DIR });

// Builds run in network namespaces of a runtime layout, behind its firewall. Egress off: builds
// still reach the registry (they install packages), instances would not.
const layout: HostLayout = {
  prefix: `orp${Math.random().toString(36).slice(2, 5).padEnd(3, "0")}`,
  addressBlock: 203 + Math.floor(Math.random() * 48),
  instancesDir: join(tmpdir(), `openrunner-pipeline-${process.pid}`, "instances"),
  egress: false,
};
before(async () => {
  if (!skip) await ensureFirewall(layout);
});
after(async () => {
  if (skip) return;
  await cleanupLeftovers(layout, new Set());
  await removeFirewall(layout);
});

async function latest(runtime: ManagedRuntime, log: string[]): Promise<RuntimeImage> {
  const versions = await catalog.availableVersions(runtime);
  const version = versions[versions.length - 1];
  assert.ok(version, `no version for ${runtime}`);
  const t0 = Date.now();
  const image = await catalog.ensure(runtime, version, (line) => log.push(line));
  console.log(`# ensure ${runtime} ${version}: ${Date.now() - t0} ms`);
  return image;
}

function plan(runtime: ManagedRuntime, fields: Partial<BuildPlan>): BuildPlan {
  return {
    source: "API",
    runtime,
    preBuild: [],
    build: [],
    postBuild: [],
    buildEnv: {},
    preRun: [],
    startCommand: "true",
    port: 8080,
    runEnv: {},
    ...fields,
  };
}

/** Runs the image's command in its rootfs (chroot, its Env, /app) and returns its output. */
async function runImage(rootfs: string, env: string[], cmd: string[]): Promise<string> {
  const [sh = "/bin/sh", flag = "-c", script = ""] = cmd;
  const { stdout } = await runTool("chroot", [rootfs, "/usr/bin/env", "-i", ...env, sh, flag, `cd /app && ${script}`], {
    timeoutMs: 30_000,
  });
  return stdout;
}

async function withDirs<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  // Beside the runtimes: the image store hard-links their files, so they must share a filesystem.
  const dir = await mkdtemp(join(tmpdir(), "openrunner-build-test-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a Node.js app: npm install from the registry in the build, image assembled and its command run", { skip, timeout }, async () => {
  await withDirs(async (dir) => {
    const log: string[] = [];
    const runtime = await latest("NODEJS_18", log);
    await assert.rejects(
      catalog.ensure("NODEJS_18", "18.99.99", () => undefined),
      (err: unknown) => err instanceof AppRunnerError && /18\.99\.99 is not available.*18\.20\.\d+/.test(err.message),
    );

    const src = join(dir, "src");
    await runTool("mkdir", ["-p", join(src, ".git")]);
    await writeFile(join(src, "package.json"), JSON.stringify({ name: "hello", version: "1.0.0", private: true, dependencies: { ms: "2.1.3" } }));
    await writeFile(join(src, "index.js"), "console.log(`up on ${process.env.PORT} after ${require('ms')(60000)}`);\n");
    const p = plan("NODEJS_18", {
      preBuild: ["node --version", "echo greeting=$GREETING"],
      build: ["npm install"],
      postBuild: ["echo built > /app/BUILT", "rm -f /etc/motd"],
      buildEnv: { GREETING: "hi" },
      preRun: ["test -f /app/BUILT"],
      startCommand: "node index.js",
      port: 3000,
      portEnv: "HTTP_PORT",
      runEnv: { MODE: "prod" },
    });
    const t0 = Date.now();
    const built = await runBuild({
      runtime,
      sourceDir: src,
      plan: p,
      cacheDir: join(dir, "cache"),
      workDir: join(dir, "work"),
      limits: { cpuMillicores: 1000, memoryBytes: 1024 * 2 ** 20 },
      log: (line) => log.push(line),
      layout,
    });
    console.log(`# build: ${Date.now() - t0} ms`);
    assert.ok(log.includes(`[Build] v${runtime.version}`), log.join("\n"));
    assert.ok(log.includes("[Build] greeting=hi"), "build.env reaches the build");
    assert.ok(log.some((l) => /^\[Build\] added 1 package/.test(l)), log.join("\n"));
    assert.ok(existsSync(join(built.appDir, "node_modules/ms/package.json")));
    assert.ok(!existsSync(join(built.appDir, ".git")), "the .git directory is not part of the app");
    // The npm cache is the service's, outside the image.
    assert.ok((await readdir(join(dir, "cache/npm"))).length > 0);
    assert.ok(!existsSync(join(built.layerDir, "root/.npm")));
    // The build ran as root of a user namespace (host uid 2000000000 + n): the layer is owned as inside.
    const foreign = await runTool("find", [built.layerDir, "(", "-uid", "+65535", "-o", "-gid", "+65535", ")", "-print"], { timeoutMs: 30_000 });
    assert.equal(foreign.stdout, "", "owners shifted back out of the build's user namespace");

    const images = new LocalImageStore({ dir: join(dir, "images"), config: { registries: {}, mirrors: {} } });
    const t1 = Date.now();
    const image = await assembleImage({
      runtime,
      appDir: built.appDir,
      layerDir: built.layerDir,
      plan: p,
      commit: "0123456789abcdef0123456789abcdef01234567",
      images,
      repository: "svc-1",
    });
    console.log(`# assemble + import: ${Date.now() - t1} ms (${JSON.stringify(image.timings)})`);
    assert.equal(image.imageRef, `openrunner.local/svc-1@${image.manifestDigest}`);
    const stored = await images.get(image.manifestDigest);
    assert.ok(stored);
    const pulled = await images.pull(image.imageRef);
    assert.equal(pulled.image.rootfs, stored.rootfs);
    assert.deepEqual(stored.config.exposedPorts, [3000]);
    assert.equal(stored.config.workingDir, "/app");
    assert.ok(stored.config.env.includes("MODE=prod") && stored.config.env.includes("PORT=3000") && stored.config.env.includes("HTTP_PORT=3000"));
    assert.ok(!stored.config.env.some((e) => e.startsWith("GREETING=")), "build.env is not in the image");
    assert.deepEqual(stored.config.cmd, ["/bin/sh", "-c", "set -e\ntest -f /app/BUILT\nexec node index.js"]);
    // The deletion in the build is a whiteout: the file is gone from the image, still in the runtime.
    assert.ok(existsSync(join(runtime.rootfs, "etc/motd")) && !existsSync(join(stored.rootfs, "etc/motd")));
    const out = await runImage(stored.rootfs, stored.config.env, stored.config.cmd);
    assert.equal(out.trim(), "up on 3000 after 1m");
    const config = JSON.parse(await readFile(join(dir, "images/unpacked", image.manifestDigest.slice(7), "image.json"), "utf8")) as { layers: string[] };
    assert.equal(config.layers.length, 2);
  });
});

test("a failing build phase names the phase, the command and its exit code; the container is gone", { skip, timeout }, async () => {
  await withDirs(async (dir) => {
    const log: string[] = [];
    const runtime = await latest("NODEJS_18", log);
    const src = join(dir, "src");
    await runTool("mkdir", ["-p", src]);
    const containerId = `orbuild-test${process.pid}`;
    await assert.rejects(
      runBuild({
        runtime,
        sourceDir: src,
        plan: plan("NODEJS_18", { preBuild: ["echo preparing"], build: ["echo step one; echo oops >&2; exit 3", "echo never"] }),
        cacheDir: join(dir, "cache"),
        workDir: join(dir, "work"),
        limits: { cpuMillicores: 500, memoryBytes: 256 * 2 ** 20 },
        log: (line) => log.push(line),
        containerId,
        layout,
      }),
      (err: unknown) =>
        err instanceof AppRunnerError &&
        err.code === "BuildFailed" &&
        /the build command "echo step one; echo oops >&2; exit 3" exited with code 3/.test(err.message),
    );
    assert.deepEqual(
      log.filter((l) => l.startsWith("[Build]")),
      ["[Build] preparing", "[Build] step one", "[Build] oops"],
    );
    const { stdout } = await runTool("runc", ["list", "-q"]);
    assert.ok(!stdout.split("\n").includes(containerId), "runc container removed");
    assert.ok(!(await readFile("/proc/self/mountinfo", "utf8")).includes(join(dir, "work")), "overlay unmounted");
    assert.ok(!existsSync(`/sys/fs/cgroup/memory/openrunner-builds/${containerId}`), "cgroup removed");
    assert.deepEqual(await readdir(join(dir, "work")), []);
  });
});

test("a Python app: pip install -r requirements.txt (empty) and python runs in the image", { skip, timeout }, async () => {
  await withDirs(async (dir) => {
    const log: string[] = [];
    const runtime = await latest("PYTHON_311", log);
    assert.match(runtime.version, /^3\.11\.\d+$/);
    const src = join(dir, "src");
    await runTool("mkdir", ["-p", src]);
    await writeFile(join(src, "requirements.txt"), "");
    await writeFile(join(src, "server.py"), "import os, sys\nprint(f'python {sys.version_info[0]}.{sys.version_info[1]} port {os.environ[\"PORT\"]}')\n");
    const p = plan("PYTHON_311", { build: ["pip install -r requirements.txt"], startCommand: "python server.py" });
    const built = await runBuild({
      runtime,
      sourceDir: src,
      plan: p,
      cacheDir: join(dir, "cache"),
      workDir: join(dir, "work"),
      limits: { cpuMillicores: 1000, memoryBytes: 512 * 2 ** 20 },
      log: (line) => log.push(line),
      layout,
    });
    const images = new LocalImageStore({ dir: join(dir, "images"), config: { registries: {}, mirrors: {} } });
    const image = await assembleImage({ runtime, appDir: built.appDir, layerDir: built.layerDir, plan: p, commit: "abc", images });
    const stored = await images.get(image.manifestDigest);
    assert.ok(stored);
    assert.equal((await runImage(stored.rootfs, stored.config.env, stored.config.cmd)).trim(), "python 3.11 port 8080");
  });
});
